"""Upstream kOps' templater: sprig's functions plus kOps' own, snippets, and the missing-key option.

kOps replaces sprig's ``indent`` with its own, which leaves the first line and empty lines alone (so
``{{ include "x" . | indent 4 }}`` can follow text on the same line), adds ``include`` for snippets, and
three helpers that read the release channel: ``ChannelRecommendedKopsKubernetesVersion``,
``ChannelRecommendedKubernetesUpgradeVersion VERSION`` and ``ChannelRecommendedImage CLOUD VERSION ARCH``.

Three functions are additions of this product, not upstream's: ``toYaml``, ``fromYaml`` and ``required``,
with Helm's behaviour, for templates written for Helm charts.
"""

from __future__ import annotations

from typing import Any

from kops.templating import yamlio
from kops.templating.builtins import BUILTINS
from kops.templating.errors import FuncError, TemplateError
from kops.templating.executor import DepthError, GoFunc, Template
from kops.templating.functions import SPRIG
from kops.templating.gotypes import ANY, MAP

#: The name upstream gives the template being rendered; snippets may not take it.
MAIN_TEMPLATE = "mainTemplate"


def indent_content(indent: int, content: str) -> str:
    """kOps' ``indent``: every line but the first and the empty ones gets the padding."""
    lines = content.split("\n")
    pad = " " * abs(indent)
    return "\n".join(line if i == 0 or not line else pad + line for i, line in enumerate(lines))


def _to_yaml(value: Any) -> str:
    if value is None:
        return "null"
    return yamlio.dump(yamlio.integral_floats_as_ints(value)).removesuffix("\n")


def _from_yaml(text: str) -> dict[str, Any]:
    try:
        data = yamlio.load(text)
    except Exception as exc:  # noqa: BLE001 - Helm reports any decoding failure in the result
        return {"Error": str(exc)}
    if data is None:
        return {}
    if not isinstance(data, dict):
        return {"Error": "error unmarshaling JSON: json: cannot unmarshal into Go value of type "
                         "map[string]interface {}"}
    return yamlio.json_numbers(data)


def _required(message: str, value: Any) -> Any:
    if value is None or value == "":
        raise FuncError(message)
    return value


class ChannelHelpers:
    """The channel functions, reading the channel given with ``--channel``."""

    def __init__(self, channel: Any):
        self.channel = channel

    def _spec(self) -> dict[str, Any]:
        if self.channel is None:
            raise FuncError("no channel loaded")
        return dict(self.channel.spec)

    @staticmethod
    def _version(text: str) -> Any:
        from kops.versions import Version

        try:
            return Version.parse(text.strip())
        except Exception:  # noqa: BLE001 - any parse failure is the same error to the user
            raise FuncError(f"unable to parse kubernetes version {text!r}") from None

    def recommended_upgrade(self, version: str) -> str:
        """The recommended version of the channel's ``kubernetesVersions`` entry covering ``version``, when newer."""
        from kops.versions import Version, in_range

        current = self._version(version)
        for entry in self._spec().get("kubernetesVersions") or []:
            if entry.get("range") and not in_range(current, str(entry["range"])):
                continue
            recommended = entry.get("recommendedVersion")
            if not recommended:
                raise FuncError(f"the channel recommends no version for Kubernetes {version}")
            target = Version.parse(str(recommended))
            if target > current:
                return str(target)
            raise FuncError(f"the channel recommends no upgrade from Kubernetes {version} (it recommends {target})")
        raise FuncError(f"the channel has no kubernetesVersions entry for Kubernetes {version}")

    def recommended_kubernetes(self) -> str:
        """The Kubernetes version the channel recommends for this kOps release."""
        if self.channel is None:
            raise FuncError("no channel loaded")
        found = self.channel.recommended_kubernetes_version()
        if not found:
            raise FuncError("the channel recommends no Kubernetes version for this kOps release")
        return str(found).removeprefix("v")

    def recommended_image(self, cloud: str, kubernetes_version: str, architecture: str) -> str:
        """The first image the channel lists for the cloud, architecture (an image without one fits all) and
        Kubernetes version (unparsable versions count as 0.0.0, as upstream's tolerant parse leaves them)."""
        from kops.versions import Version, in_range

        try:
            version = Version.parse(kubernetes_version.strip())
        except Exception:  # noqa: BLE001 - upstream ignores the error and uses the zero version
            version = Version(0, 0, 0)
        for image in self._spec().get("images") or []:
            if image.get("providerID") != cloud:
                continue
            if image.get("architectureID") and image["architectureID"] != architecture:
                continue
            if image.get("kubernetesVersion") and not in_range(version, str(image["kubernetesVersion"])):
                continue
            return str(image.get("name", ""))
        raise FuncError(f"the channel has no {architecture} image for {cloud} and Kubernetes {kubernetes_version}")


def function_map(template: Template, channel: Any) -> dict[str, GoFunc]:
    """Every function a kOps template may call, bound to ``template`` (for ``include``) and ``channel``."""
    helpers = ChannelHelpers(channel)

    def include(name: str, context: dict[str, Any]) -> str:
        try:
            return template.execute(name, context)
        except DepthError:
            raise
        except TemplateError as exc:
            raise FuncError(f"snippet: {name}, issue: {exc}") from None

    funcs = dict(BUILTINS)
    funcs.update(SPRIG)
    funcs.update({
        "indent": GoFunc(indent_content, ("int", "string")),
        "include": GoFunc(include, ("string", MAP)),
        "ChannelRecommendedKubernetesUpgradeVersion": GoFunc(helpers.recommended_upgrade, ("string",)),
        "ChannelRecommendedKopsKubernetesVersion": GoFunc(helpers.recommended_kubernetes),
        "ChannelRecommendedImage": GoFunc(helpers.recommended_image, ("string", "string", "string")),
        "toYaml": GoFunc(_to_yaml, (ANY,)),
        "fromYaml": GoFunc(_from_yaml, ("string",)),
        "required": GoFunc(_required, ("string", ANY)),
    })
    return funcs


def render(content: str, context: dict[str, Any], *, name: str = MAIN_TEMPLATE,
           snippets: dict[str, str] | None = None, fail_on_missing: bool = True, channel: Any = None) -> str:
    """Render ``content`` with ``context`` as dot, as upstream's ``Templater.Render`` does.

    The template is parsed first, then each snippet as a template named after its file; a missing key is an
    error when ``fail_on_missing`` (upstream's default), else prints ``<no value>``.
    """
    template = Template(name, {}, missing_key_error=fail_on_missing)
    template.funcs = function_map(template, channel)
    template.parse(name, content)
    for filename, snippet in sorted((snippets or {}).items()):
        if filename == name:
            raise TemplateError(f"snippet cannot have the same name as the template: {filename}")
        try:
            template.parse(filename, snippet)
        except TemplateError as exc:
            raise TemplateError(f"unable to parse snippet: {filename}, error: {exc}") from None
    return template.execute(name, context)
