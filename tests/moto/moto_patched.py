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
   cross-stack reference that cfnc wires is written.
3. A nested stack whose TemplateURL or Parameters change is updated in place, as
   CloudFormation does. moto deletes and re-creates it, which fails as soon as the nested
   stack holds a resource with DeletionPolicy Retain and a fixed name (the retained log
   group "already exists") and would give the nested stack a new physical id.
5. `Fn::GetAtt EIP.PublicIp` (a documented attribute of AWS::EC2::EIP) resolves; moto only
   knows AllocationId.
4. A deleted stack reports no Outputs. moto resolves outputs lazily, so describing a
   DELETE_COMPLETE stack by its id (what waiters do) re-creates the resources its outputs
   refer to, and fails on retained ones.
6. AWS::KMS::Key takes KeyPolicy as an object and Tags as {Key, Value}, as CloudFormation
   defines them (moto handed both to the KMS API shapes unchanged).
7. Fn::GetAtt on AWS::IAM::ManagedPolicy (PolicyArn, PolicyId), documented return values.
8. Placeholders for the resource types moto's CloudFormation skips: each checks what AWS
   checks before creating the resource (required properties from the vendored registry
   schema, JSON bodies, the resources it names must exist) and answers Ref / GetAtt with the
   documented values; nothing is created in moto's services.
9. `${Stack.Outputs.Name}` in Fn::Sub: the attribute is everything after the first dot.
10. An output whose Condition is false creates no Export.

A patch never hides a template error that AWS would report: cfnc validates every template
before it deploys, and the placeholders refuse what AWS refuses before creating a resource.

With CFNC_MOTO_EXIT_ON_EOF=1 (the test harness sets it) the server exits when its standard
input closes, so a test process that dies never leaves a server behind.
"""

import json
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


from moto.kms.models import Key as KmsKey

_original_kms_key_create = KmsKey.create_from_cloudformation_json.__func__


@classmethod
def kms_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    # Patch 6: AWS::KMS::Key as CloudFormation defines it. `KeyPolicy` is of type Json (an
    # object or a JSON string; the KMS API takes a string), and `Tags` are {Key, Value} (the
    # KMS API's TagResource takes {TagKey, TagValue}). moto passes both through to the KMS API
    # shapes unchanged, so an object policy is stored as a dict and the tags raise KeyError.
    properties = dict(cloudformation_json.get("Properties", {}))
    if isinstance(properties.get("KeyPolicy"), (dict, list)):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    properties["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t for t in properties.get("Tags", [])
    ]
    cloudformation_json = dict(cloudformation_json, Properties=properties)
    return _original_kms_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


KmsKey.create_from_cloudformation_json = kms_key_create


from moto.iam.models import ManagedPolicy


def managed_policy_get_cfn_attribute(self, attribute_name):
    # Patch 7: Fn::GetAtt on AWS::IAM::ManagedPolicy (documented return values: PolicyArn,
    # PolicyId, ...); moto's model has none.
    if attribute_name == "PolicyArn":
        return self.arn
    if attribute_name == "PolicyId":
        return self.id
    raise UnformattedGetAttTemplateException()


ManagedPolicy.get_cfn_attribute = managed_policy_get_cfn_attribute
ManagedPolicy.has_cfn_attr = classmethod(lambda cls, attr: attr in ["PolicyArn", "PolicyId"])


# Patch 8: placeholders for the resource types moto's CloudFormation skips (it logs "No Moto
# CloudFormation support" and leaves the resource out, so every Ref and GetAtt of it fails or
# resolves to nothing). A placeholder creates nothing in moto's services; it checks what AWS
# checks before creating the resource (the registry schema's required properties, from the
# vendored schema/aws-*.json; JSON bodies that must parse; resources it names that must
# exist), and answers Ref and GetAtt with the values the CloudFormation Template Reference
# documents, in the documented format. A template error that AWS reports is an error here too.
import uuid

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")


def _required(type_name):
    path = os.path.join(SCHEMA_DIR, "aws-" + type_name.lower().replace("aws::", "").replace("::", "-") + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f).get("required", [])


def _fail(type_name, logical_id, message):
    raise ValidationError(message=f"Resource {logical_id} ({type_name}): {message}")


def _log_group_exists(account_id, region, name):
    from moto.logs.models import logs_backends

    return name in logs_backends[account_id][region].groups


def _topic_exists(account_id, region, arn):
    from moto.sns.models import sns_backends

    return arn in sns_backends[account_id][region].topics


def _bucket_exists(account_id, name):
    from moto.s3.models import s3_backends

    return name in s3_backends[account_id][get_partition_name_for_s3()].buckets


def get_partition_name_for_s3():
    return "aws"


def _role_exists(account_id, arn):
    from moto.iam.models import iam_backends

    try:
        iam_backends[account_id]["global"].get_role_by_arn(arn)
        return True
    except Exception:
        return False


def _checks_metric_filter(p, account_id, region, fail):
    if not _log_group_exists(account_id, region, p["LogGroupName"]):
        fail(f"The specified log group does not exist: {p['LogGroupName']}")


def _checks_subscription(p, account_id, region, fail):
    if not _topic_exists(account_id, region, p["TopicArn"]):
        fail(f"Topic does not exist: {p['TopicArn']}")


def _checks_topic_policy(p, account_id, region, fail):
    for t in p["Topics"]:
        if not _topic_exists(account_id, region, t):
            fail(f"Topic does not exist: {t}")


def _checks_bucket_policy(p, account_id, region, fail):
    if not _bucket_exists(account_id, p["Bucket"]):
        fail(f"The specified bucket does not exist: {p['Bucket']}")


def _checks_insight_rule(p, account_id, region, fail):
    try:
        json.loads(p["RuleBody"])
    except (TypeError, ValueError) as e:
        fail(f"RuleBody is not JSON: {e}")


def _checks_canary(p, account_id, region, fail):
    if not _role_exists(account_id, p["ExecutionRoleArn"]):
        fail(f"ExecutionRoleArn does not exist: {p['ExecutionRoleArn']}")
    location = str(p["ArtifactS3Location"])
    if not location.startswith("s3://") or not _bucket_exists(account_id, location[5:].split("/")[0]):
        fail(f"ArtifactS3Location bucket does not exist: {location}")
    code = p["Code"]
    if "S3Bucket" in code and not _bucket_exists(account_id, code["S3Bucket"]):
        fail(f"Code.S3Bucket does not exist: {code['S3Bucket']}")


def _arn(service, region, account_id, resource):
    return f"arn:{get_partition(region)}:{service}:{region}:{account_id}:{resource}"


# type -> (name property or None, Ref value, {GetAtt attribute: value}, checks).
# Ref/GetAtt: CloudFormation Template Reference, "Return values" of each type.
PLACEHOLDERS = {
    "AWS::CloudWatch::Alarm": (
        "AlarmName",
        lambda o: o.name,
        {"Arn": lambda o: _arn("cloudwatch", o.region, o.account_id, f"alarm:{o.name}")},
        None,
    ),
    "AWS::CloudWatch::CompositeAlarm": (
        "AlarmName",
        lambda o: o.name,
        {"Arn": lambda o: _arn("cloudwatch", o.region, o.account_id, f"alarm:{o.name}")},
        None,
    ),
    "AWS::CloudWatch::AnomalyDetector": (None, lambda o: o.name, {"Id": lambda o: o.name}, None),
    "AWS::CloudWatch::InsightRule": (
        "RuleName",
        lambda o: _arn("cloudwatch", o.region, o.account_id, f"insight-rule/{o.name}"),
        {
            "Arn": lambda o: _arn("cloudwatch", o.region, o.account_id, f"insight-rule/{o.name}"),
            "RuleName": lambda o: o.name,
        },
        _checks_insight_rule,
    ),
    "AWS::Logs::MetricFilter": ("FilterName", lambda o: o.name, {}, _checks_metric_filter),
    "AWS::S3::BucketPolicy": (None, lambda o: o.properties["Bucket"], {}, _checks_bucket_policy),
    "AWS::SNS::Subscription": (
        None,
        lambda o: f"{o.properties['TopicArn']}:{o.uid}",
        {"Arn": lambda o: f"{o.properties['TopicArn']}:{o.uid}"},
        _checks_subscription,
    ),
    "AWS::SNS::TopicPolicy": (None, lambda o: o.name, {"Id": lambda o: o.name}, _checks_topic_policy),
    "AWS::Synthetics::Canary": (
        "Name",
        lambda o: o.name,
        {
            "Id": lambda o: o.uid,
            "State": lambda o: "RUNNING" if str(o.properties.get("StartCanaryAfterCreation")).lower() == "true" else "READY",
        },
        _checks_canary,
    ),
}


def _placeholder_class(type_name, name_property, ref, attrs, checks):
    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        logical_id = kwargs.get("LogicalId", resource_name)
        missing = [p for p in _required(type_name) if p not in props]
        if missing:
            _fail(type_name, logical_id, f"required key [{missing[0]}] not found")
        if checks:
            checks(props, account_id, region_name, lambda m: _fail(type_name, logical_id, m))
        obj = cls()
        obj.properties, obj.account_id, obj.region, obj.uid = props, account_id, region_name, str(uuid.uuid4())
        obj.name = props.get(name_property, resource_name) if name_property else resource_name
        return obj

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        new = create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        if not name_property or cloudformation_json["Properties"].get(name_property) is None:
            new.name = original_resource.name
        new.uid = original_resource.uid
        return new

    def get_cfn_attribute(self, attribute_name):
        if attribute_name in attrs:
            return attrs[attribute_name](self)
        raise UnformattedGetAttTemplateException()

    return type(
        "Placeholder" + type_name.replace("::", ""),
        (CloudFormationModel,),
        {
            "cloudformation_type": staticmethod(lambda: type_name),
            "cloudformation_name_type": staticmethod(lambda: name_property or ""),
            "has_cfn_attr": classmethod(lambda cls, attr: attr in attrs),
            "create_from_cloudformation_json": classmethod(create),
            "update_from_cloudformation_json": classmethod(update),
            "delete_from_cloudformation_json": classmethod(lambda cls, *a, **k: None),
            "delete": lambda self, account_id, region_name: None,
            "physical_resource_id": property(ref),
            "get_cfn_attribute": get_cfn_attribute,
        },
    )


PLACEHOLDER_CLASSES = [_placeholder_class(t, *spec) for t, spec in PLACEHOLDERS.items()]
from moto.cloudformation import parsing as cfn_parsing

_original_clean_json = cfn_parsing.clean_json


def clean_json(resource_json, resources_map):
    # Patch 9: `${Stack.Outputs.Name}` in Fn::Sub. The Fn::Sub reference ("Fn::Sub" in the
    # Template Reference) writes `${LogicalId.AttributeName}`, and the attribute of a nested
    # stack's output is `Outputs.Name`; moto splits the variable at every dot and asks the
    # stack for attribute `Outputs`. Everything after the first dot is the attribute name.
    if isinstance(resource_json, dict) and len(resource_json) == 1:
        parts = resource_json.get("Fn::GetAtt")
        if isinstance(parts, list) and len(parts) > 2:
            resource_json = {"Fn::GetAtt": [parts[0], ".".join(parts[1:])]}
    return _original_clean_json(resource_json, resources_map)


cfn_parsing.clean_json = clean_json


def output_map_exports(self):
    # Patch 10: an output whose Condition is false is not created, and neither is its Export
    # ("Outputs" in the Template Reference: the Condition of an output decides whether it is
    # created). moto evaluates every exported output's value whatever its condition, so a
    # conditional output that reads a resource that was not created fails the whole stack.
    exports = []
    for value in (self._output_json_map or {}).values():
        condition = value.get("Condition")
        if condition and not self._resource_map.lazy_condition_map.get(condition):
            continue
        if value.get("Export"):
            name = clean_json(value["Export"].get("Name"), self._resource_map)
            exports.append(cfn_parsing.Export(self._stack_id, name, clean_json(value.get("Value"), self._resource_map)))
    return exports


cfn_parsing.OutputMap.exports = property(output_map_exports)

cfn_parsing.get_model_list.cache_clear()
cfn_parsing.get_model_map.cache_clear()
cfn_parsing.get_name_type_map.cache_clear()
ElasticAddress.get_cfn_attribute = eip_get_cfn_attribute
ElasticAddress.has_cfn_attr = classmethod(lambda cls, attr: attr in ["AllocationId", "PublicIp"])
cfn_models.CloudFormationBackend.execute_change_set = execute_change_set
cfn_models.Stack.delete = delete_stack
cfn_models.Stack.update_from_cloudformation_json = update_nested_stack
cfn_models.Stack.get_cfn_attribute = get_cfn_attribute


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
