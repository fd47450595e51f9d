"""AWS for kops. Importing this package must stay cheap: boto3 is imported inside the functions that use it."""
