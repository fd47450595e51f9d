"""Tasks every cloud shares: resources kops keeps in its own state store rather than in a cloud."""
