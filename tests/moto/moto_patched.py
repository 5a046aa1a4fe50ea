"""Start moto_server with small, documented patches for gaps that matter to cfnc's tests.

Usage: python moto_patched.py -H 127.0.0.1 -p PORT

The patches make moto behave like CloudFormation where it does not; none of them changes
what cfnc sends or accepts:

1. Stacks created or updated through a change set get their Outputs (and Exports). moto
   builds a stack's output map when the stack object is created, and for a change set that
   is before the template is known, so ExecuteChangeSet leaves the stack without outputs.
   After ExecuteChangeSet the patch rebuilds the output map from the executed template.
2. `Fn::GetAtt NestedStack.Outputs.Name` resolves to the nested stack's output value
   (moto's Stack model has no get_cfn_attribute and answers HTTP 500). This is how every
   cross-stack reference that cfnc wires is written. Also as `${NestedStack.Outputs.Name}` in
   Fn::Sub (moto splits the variable at every dot).
3. A nested stack whose TemplateURL or Parameters change is updated in place, as
   CloudFormation does. moto deletes and re-creates it, which fails as soon as the nested
   stack holds a resource with DeletionPolicy Retain and a fixed name (the retained log
   group "already exists") and would give the nested stack a new physical id.
5. `Fn::GetAtt EIP.PublicIp` (a documented attribute of AWS::EC2::EIP) resolves; moto only
   knows AllocationId.
4. A deleted stack reports no Outputs. moto resolves outputs lazily, so describing a
   DELETE_COMPLETE stack by its id (what waiters do) re-creates the resources its outputs
   refer to, and fails on retained ones.
6. AWS::KMS::Key as CloudFormation writes it: Tags as Key/Value pairs (moto's KMS tagger
   wants TagKey/TagValue and fails) and KeyPolicy as a JSON object (kept as text).
7. `Fn::GetAtt` of AWS::IAM::ManagedPolicy (PolicyArn, PolicyId, DefaultVersionId).
8. Only with CFNC_MOTO_PLACEHOLDERS=1: types moto's CloudFormation does not implement
   become inert placeholders that answer Ref and Fn::GetAtt, instead of being dropped, so the
   whole platform can be created, updated and deleted (tests/alarms_scale.rs).

With CFNC_MOTO_EXIT_ON_EOF=1 (the test harness sets it) the server exits when its standard
input closes, so a test process that dies never leaves a server behind.
"""

import os
import sys
import threading

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

_original_execute = cfn_models.CloudFormationBackend.execute_change_set


def _find_change_set(backend, change_set_name):
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for cs in backend.change_sets.values():
        if cs.change_set_name == change_set_name:
            return cs
    return None


def execute_change_set(self, change_set_name, stack_name=None):
    _original_execute(self, change_set_name, stack_name)
    change_set = _find_change_set(self, change_set_name)
    if change_set is None:
        return
    stack = self.stacks.get(change_set.stack_id)
    if stack is None:
        return
    # Patch 1: outputs and exports of the executed template.
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    for export in stack.exports:
        self.exports[export.name] = export


def get_cfn_attribute(self, attribute_name):
    # Patch 2: Fn::GetAtt Stack.Outputs.Name.
    prefix = "Outputs."
    if attribute_name.startswith(prefix):
        key = attribute_name[len(prefix):]
        for output in self.output_map.values():
            if output is not None and output.key == key:
                return output.value
    raise UnformattedGetAttTemplateException()


@classmethod
def update_nested_stack(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    # Patch 3: update the nested stack in place.
    from moto.cloudformation.utils import get_stack_from_s3_url
    from moto.utilities.utils import get_partition

    properties = cloudformation_json["Properties"]
    template_body = get_stack_from_s3_url(
        properties["TemplateURL"], account_id=account_id, partition=get_partition(region_name)
    )
    original_resource.update(template_body, parameters=properties.get("Parameters", {}))
    return original_resource


_original_delete = cfn_models.Stack.delete


def delete_stack(self):
    _original_delete(self)
    # Patch 4: a deleted stack has no outputs to resolve.
    from moto.cloudformation.parsing import OutputMap

    self.output_map = OutputMap(self.resource_map, {}, self.stack_id)


from moto.ec2.models.elastic_ip_addresses import ElasticAddress

_original_eip_get_att = ElasticAddress.get_cfn_attribute


def eip_get_cfn_attribute(self, attribute_name):
    # Patch 5: EIP.PublicIp.
    if attribute_name == "PublicIp":
        return self.public_ip
    return _original_eip_get_att(self, attribute_name)


from moto.kms import models as kms_models

_original_kms_create = kms_models.Key.create_from_cloudformation_json.__func__


@classmethod
def kms_key_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    # Patch 6: AWS::KMS::Key as CloudFormation writes it: Tags as Key/Value (moto's KMS
    # tagger expects TagKey/TagValue and fails), KeyPolicy as a JSON object (stored as text).
    import json

    properties = dict(cloudformation_json.get("Properties", {}))
    properties["Tags"] = [
        {"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue"))}
        for t in properties.get("Tags", [])
    ]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    cloudformation_json = {**cloudformation_json, "Properties": properties}
    return _original_kms_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


kms_models.Key.create_from_cloudformation_json = kms_key_from_cloudformation

from moto.iam.models import ManagedPolicy


def managed_policy_get_cfn_attribute(self, attribute_name):
    # Patch 7: Fn::GetAtt of AWS::IAM::ManagedPolicy (PolicyArn, PolicyId, DefaultVersionId,
    # documented attributes); moto's model has none.
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    values = {"PolicyArn": self.arn, "PolicyId": self.id, "DefaultVersionId": self.default_version_id}
    if attribute_name in values:
        return values[attribute_name]
    raise UnformattedGetAttTemplateException()


ManagedPolicy.get_cfn_attribute = managed_policy_get_cfn_attribute
ManagedPolicy.has_cfn_attr = classmethod(lambda cls, attr: attr in ["PolicyArn", "PolicyId", "DefaultVersionId"])


# Patch 8 (only with CFNC_MOTO_PLACEHOLDERS=1): resource types moto's CloudFormation does not
# implement (composite alarms, bucket policies, Contributor Insights rules, Synthetics canaries,
# ...) are created as inert placeholders instead of being dropped: they answer `Ref` (the name
# property's value, else a generated name) and `Fn::GetAtt` (an ARN-shaped value for `Arn`,
# the physical id otherwise), so that a stack whose outputs or wiring refer to them can be
# created, updated and deleted. They emulate no service behaviour at all.
from moto.cloudformation import parsing as cfn_parsing

_NAME_PROPERTIES = ("AlarmName", "RuleName", "Name", "PolicyName", "TopicName", "Bucket")


class Placeholder:  # duck-typed: moto registers CloudFormationModel subclasses by module
    def __init__(self, type_name, physical_id, properties, account_id, region_name):
        self.type_name = type_name
        self.physical_resource_id = physical_id
        self.properties = properties
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "Placeholder::For::UnsupportedTypes"

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        named = next((properties[k] for k in _NAME_PROPERTIES if isinstance(properties.get(k), str)), None)
        type_name = kwargs.get("ResourceType", "AWS::Unknown::Unknown")
        return cls(type_name, named or resource_name, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def is_created(self):
        return True

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Arn":
            service = self.type_name.split("::")[1].lower()
            kind = self.type_name.split("::")[2].lower()
            return f"arn:aws:{service}:{self.region_name}:{self.account_id}:{kind}:{self.physical_resource_id}"
        return self.physical_resource_id


_original_class_from_type = cfn_parsing.resource_class_from_type


def resource_class_from_type(resource_type):
    found = _original_class_from_type(resource_type)
    if found is None and resource_type not in cfn_parsing.NULL_MODELS and resource_type.startswith("AWS::"):
        return Placeholder
    return found


if os.environ.get("CFNC_MOTO_PLACEHOLDERS") == "1":
    cfn_parsing.resource_class_from_type = resource_class_from_type
ElasticAddress.get_cfn_attribute = eip_get_cfn_attribute
ElasticAddress.has_cfn_attr = classmethod(lambda cls, attr: attr in ["AllocationId", "PublicIp"])
cfn_models.CloudFormationBackend.execute_change_set = execute_change_set
cfn_models.Stack.delete = delete_stack
cfn_models.Stack.update_from_cloudformation_json = update_nested_stack
cfn_models.Stack.get_cfn_attribute = get_cfn_attribute

from moto.cloudformation import parsing as _parsing

_original_clean_json = _parsing.clean_json


def clean_json(resource_json, resources_map):
    # Patch 2, continued: `${Stack.Outputs.Name}` in Fn::Sub. moto splits the variable at
    # every dot and asks the stack for attribute `Outputs`; rejoin what follows the id.
    if isinstance(resource_json, dict):
        getatt = resource_json.get("Fn::GetAtt")
        if isinstance(getatt, list) and len(getatt) > 2 and all(isinstance(p, str) for p in getatt):
            resource_json = {**resource_json, "Fn::GetAtt": [getatt[0], ".".join(getatt[1:])]}
    return _original_clean_json(resource_json, resources_map)


_parsing.clean_json = clean_json


def _exit_when_parent_goes():
    try:
        while sys.stdin.read(1):
            pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    if os.environ.get("CFNC_MOTO_EXIT_ON_EOF") == "1":
        threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    from moto.server import main

    main(sys.argv[1:])
