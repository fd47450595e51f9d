"""A very small client of vCenter's SOAP API (``https://SERVER/sdk``), in the standard library alone.

The node credential service (``kops controller serve``) runs on control-plane VMs from the node bundle, which holds
no pyVmomi and nothing compiled, yet it must ask the vCenter about the VM a proof names. It needs four calls:
``RetrieveServiceContent``, ``Login``, ``SearchIndex.FindByUuid`` and ``PropertyCollector.RetrieveProperties``
(then ``Logout``); this module speaks just those, with urllib and ElementTree. Everything else kops does with
vSphere goes through pyVmomi (:mod:`kops_vsphere.api`) on the operator's machine.

TLS is verified as :mod:`kops_vsphere.api` does: against the system's CAs, or ``VSPHERE_CA_FILE`` when set (for a
vCenter with its own CA, or govmomi's simulator). There is no switch to skip verification: the password is sent.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

from kops.errors import KopsError

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
VIM = "urn:vim25"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: The API version asked for: every vCenter since 6.5 (and the simulator) answers it.
SOAP_ACTION = "urn:vim25/6.5"
TIMEOUT = 15

#: A managed object reference: (type, ID), as ``("VirtualMachine", "vm-42")``.
MoRef = tuple[str, str]


class SoapFault(KopsError):
    """The vCenter answered with a SOAP fault (its ``faultstring`` and the fault's type, ``InvalidLogin``...)."""

    def __init__(self, fault: str, message: str):
        super().__init__(f"vCenter: {fault}: {message}" if message else f"vCenter: {fault}")
        self.fault = fault


def _tag(name: str) -> str:
    return f"{{{VIM}}}{name}"


def _this(ref: MoRef) -> str:
    return f'<_this type="{ref[0]}">{escape(ref[1])}</_this>'


def child_text(element: ET.Element | None, name: str) -> str:
    """The text of ``element``'s first child ``name`` in the vim25 namespace ('' without one)."""
    found = None if element is None else element.find(_tag(name))
    return (found.text or "") if found is not None else ""


def pairs(value: ET.Element | None, key: str = "key", val: str = "value") -> dict[str, str]:
    """An array property (``ArrayOfOptionValue``, ``ArrayOfCustomFieldValue``...) as a dictionary."""
    return {child_text(item, key): child_text(item, val) for item in (value if value is not None else [])}


class Session:
    """A logged-in session with one vCenter; a context manager that logs out at its end."""

    def __init__(self, server: str, username: str, password: str, ca_file: str | None = None):
        self.url = f"https://{server}/sdk"
        self._tls = ssl.create_default_context(cafile=ca_file)
        self._cookie = ""
        content = self.call("RetrieveServiceContent", _this(("ServiceInstance", "ServiceInstance")))
        self.content = {child.tag.removeprefix(_tag("")): (child.get("type", ""), child.text or "")
                        for child in content if child.get("type")}
        self.call("Login", _this(self.content["sessionManager"]) + f"<userName>{escape(username)}</userName>"
                  f"<password>{escape(password)}</password>")

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.call("Logout", _this(self.content["sessionManager"]))
        except (KopsError, OSError):
            pass  # the session times out by itself

    def call(self, method: str, arguments: str) -> ET.Element:
        """Call ``method`` with the arguments' XML; its ``returnval`` (an empty element when it returns nothing)."""
        envelope = (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP}" '
                    f'xmlns:xsi="{XSI}"><soapenv:Body><{method} xmlns="{VIM}">{arguments}</{method}>'
                    "</soapenv:Body></soapenv:Envelope>")
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": SOAP_ACTION}
        if self._cookie:
            headers["Cookie"] = self._cookie
        request = urllib.request.Request(self.url, data=envelope.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT, context=self._tls) as response:
                answer = response.read()
                cookie = response.headers.get("Set-Cookie")
        except urllib.error.HTTPError as exc:
            _raise_fault(exc.read(), f"HTTP {exc.code}")
            raise  # unreachable: _raise_fault always raises
        except (urllib.error.URLError, OSError) as exc:
            raise KopsError(f"vCenter {self.url} did not answer ({getattr(exc, 'reason', exc)})") from None
        if cookie:
            self._cookie = cookie.split(";", 1)[0]
        try:
            body = ET.fromstring(answer).find(f"{{{SOAP}}}Body")
        except ET.ParseError:
            raise KopsError(f"vCenter {self.url} answered something that is not SOAP") from None
        response_element = body[0] if body is not None and len(body) else None
        if response_element is None or response_element.tag == f"{{{SOAP}}}Fault":
            _raise_fault(answer, "no answer")
        found = response_element.find(_tag("returnval")) if response_element is not None else None
        return found if found is not None else ET.Element("returnval")

    def find_vm_by_uuid(self, uuid: str) -> MoRef | None:
        """The VM whose BIOS UUID (``config.uuid``) is ``uuid``, in any datacenter, or None."""
        found = self.call("FindByUuid", _this(self.content["searchIndex"]) +
                          f"<uuid>{escape(uuid)}</uuid><vmSearch>true</vmSearch><instanceUuid>false</instanceUuid>")
        return (found.get("type", ""), found.text) if found.text else None

    def properties(self, ref: MoRef, paths: tuple[str, ...]) -> dict[str, ET.Element]:
        """The properties ``paths`` of the object ``ref`` that are set, as their ``val`` elements."""
        path_set = "".join(f"<pathSet>{escape(p)}</pathSet>" for p in paths)
        spec = (f"<specSet><propSet><type>{ref[0]}</type><all>false</all>{path_set}</propSet>"
                f'<objectSet><obj type="{ref[0]}">{escape(ref[1])}</obj><skip>false</skip></objectSet></specSet>')
        found = self.call("RetrieveProperties", _this(self.content["propertyCollector"]) + spec)
        out = {}
        for prop in found.findall(_tag("propSet")):
            value = prop.find(_tag("val"))
            if value is not None:
                out[child_text(prop, "name")] = value
        return out

    def custom_field_names(self) -> dict[str, str]:
        """The vCenter's custom attributes: their key (as a ``customValue`` names it) -> their name."""
        fields = self.properties(self.content["customFieldsManager"], ("field",)).get("field")
        return pairs(fields, "key", "name")


def _raise_fault(answer: bytes, otherwise: str) -> None:
    try:
        fault = ET.fromstring(answer).find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    except ET.ParseError:
        fault = None
    if fault is None:
        raise KopsError(f"vCenter answered {otherwise}")
    detail = fault.find("detail")
    kind = detail[0].get(f"{{{XSI}}}type", "") if detail is not None and len(detail) else ""
    kind = kind or (detail[0].tag.rsplit("}", 1)[-1].removesuffix("Fault") if detail is not None and len(detail)
                    else "fault")
    raise SoapFault(kind, (fault.findtext("faultstring") or "").strip())
