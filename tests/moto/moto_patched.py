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
