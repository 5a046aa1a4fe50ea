//! The rule table: every finding code cfnc reports, with its severity and meaning.
//!
//! `docs/rules.md` is generated from this table (`cfnc validate --list-rules --format markdown`
//! prints it; a test keeps the committed file in sync).

use super::Severity;

/// One rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// What the rule checks and why; shown in docs and SARIF rule metadata.
    pub help: &'static str,
}

const fn rule(code: &'static str, severity: Severity, title: &'static str, help: &'static str) -> Rule {
    Rule { code, severity, title, help }
}

use Severity::{Error as E, Info as I, Warning as W};

/// Every rule, sorted by code.
pub const RULES: &[Rule] = &[
    // Reading.
    rule(
        "CFN0001",
        E,
        "Template cannot be read",
        "YAML/JSON syntax error, duplicate key, unknown tag, non-UTF-8 text, alias bomb, excessive nesting, or a file over 10 MiB. `cfnc validate` exits 2.",
    ),
    rule(
        "CFN0002",
        W,
        "YAML alias",
        "CloudFormation rejects YAML aliases (`*name`) unless the template is first processed by `aws cloudformation package` or SAM (cfn-lint W1101).",
    ),
    rule(
        "CFN0003",
        W,
        "YAML merge key",
        "CloudFormation rejects YAML merge keys (`<<`) unless the template is first processed by `aws cloudformation package` or SAM (cfn-lint W1100).",
    ),
    rule(
        "CFN0004",
        W,
        "Local path for `package`",
        "A property that `aws cloudformation package` uploads (Lambda Code, nested stack TemplateURL, ...) holds a local path: CloudFormation itself rejects it; package the template first.",
    ),
    // Template structure.
    rule(
        "CFN1001",
        E,
        "Unknown top-level section",
        "A template holds only AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, Conditions, Transform, Resources and Outputs.",
    ),
    rule(
        "CFN1002",
        E,
        "Section has the wrong shape",
        "AWSTemplateFormatVersion must be \"2010-09-09\", Description a string, and Parameters, Mappings, Conditions, Resources, Outputs, Rules and Metadata mappings.",
    ),
    rule("CFN1003", E, "No resources", "A template needs a Resources section with at least one resource."),
    rule("CFN1004", E, "Resource without a valid Type", "Every resource needs `Type`, a string."),
    rule(
        "CFN1005",
        E,
        "Unknown resource attribute",
        "A resource holds only Type, Properties, DependsOn, Condition, DeletionPolicy, UpdateReplacePolicy, Metadata, CreationPolicy and UpdatePolicy (and Version for custom resources).",
    ),
    rule(
        "CFN1006",
        E,
        "Properties is not a mapping",
        "`Properties` must be a mapping of property names to values.",
    ),
    rule(
        "CFN1007",
        E,
        "Invalid deletion or update-replace policy",
        "DeletionPolicy and UpdateReplacePolicy take Delete, Retain, RetainExceptOnCreate or Snapshot (Snapshot only on types that support it).",
    ),
    rule(
        "CFN1008",
        W,
        "Resource type outside the registry",
        "A type in a namespace AWS does not own (a third-party or private registry type, e.g. `MongoDB::Atlas::Cluster`, or a module): the registry index does not know it, so its properties are not checked. `Custom::*` types are not reported. (Every type of the AWS registry is checked against its full schema, schema/README.md.)",
    ),
    rule(
        "CFN1009",
        E,
        "Malformed resource type name",
        "Type names look like `AWS::Service::Resource` (or `Custom::Name`).",
    ),
    rule(
        "CFN1010",
        E,
        "Invalid parameter",
        "A parameter needs a valid Type (String, Number, List<Number>, CommaDelimitedList, an AWS-specific or SSM parameter type) and only the known parameter attributes.",
    ),
    rule(
        "CFN1011",
        E,
        "Parameter default violates its constraints",
        "The Default must satisfy the parameter's own AllowedValues, AllowedPattern, MinLength/MaxLength and MinValue/MaxValue.",
    ),
    rule(
        "CFN1012",
        E,
        "Invalid output",
        "An output needs a Value and holds only Description, Value, Export (with Name) and Condition.",
    ),
    rule(
        "CFN1013",
        E,
        "Invalid mapping",
        "Mappings are two levels of mappings whose leaves are strings, numbers or lists of strings.",
    ),
    rule(
        "CFN1014",
        E,
        "Invalid condition definition",
        "A condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or a {Condition: name} reference.",
    ),
    rule("CFN1015", E, "Invalid DependsOn", "DependsOn is a resource name or a list of resource names."),
    rule(
        "CFN1016",
        I,
        "Transform: reference checks skipped",
        "The template declares a Transform (e.g. SAM): resources and names it generates are unknown before expansion, so unresolved-reference, DependsOn and unused checks are skipped. With a macro of the account's own (a name not starting with `AWS::`), resource attributes and types the macro consumes (`Count`, `AWS::S3::Object`) are not reported either.",
    ),
    rule(
        "CFN1017",
        E,
        "Logical id used in two sections",
        "Parameters and resources share one namespace: a name may not be both.",
    ),
    rule(
        "CFN1018",
        E,
        "Unknown resource type",
        "An `AWS::`/`Alexa::` type that the resource registry does not have (schema/registry-index.json, from the pinned cfn-lint): CloudFormation rejects the template (\"Unrecognized resource types\"). Usually a typo; the finding names the closest known type. A type newer than the index needs `scripts/refresh-schemas` with a newer cfn-lint.",
    ),
    rule(
        "CFN1019",
        E,
        "Not permitted on a module",
        "A module resource (`...::MODULE`) takes no CreationPolicy, UpdatePolicy or Tags (CloudFormation expands it into its resources), and the Metadata key `AWS::CloudFormation::Module` is reserved (cfn-lint E5001).",
    ),
    // References.
    rule(
        "CFN2001",
        E,
        "Unresolved Ref",
        "Ref names a parameter, a resource or a pseudo parameter (AWS::Region, AWS::NoValue, ...) of this template.",
    ),
    rule("CFN2002", E, "GetAtt to an unknown resource", "Fn::GetAtt names a resource of this template."),
    rule(
        "CFN2003",
        E,
        "GetAtt attribute does not exist",
        "The attribute is not among the type's attributes (its readOnlyProperties in the registry schema; `Outputs.Name` for nested stacks).",
    ),
    rule(
        "CFN2004",
        E,
        "Unresolved Fn::Sub variable",
        "Each ${Name} or ${Resource.Attribute} in Fn::Sub is a parameter, resource, resource attribute, pseudo parameter or a variable of the Sub's own map.",
    ),
    rule(
        "CFN2005",
        E,
        "DependsOn a missing resource",
        "DependsOn names a resource of this template (not a parameter).",
    ),
    rule(
        "CFN2006",
        E,
        "Circular dependency",
        "Ref, Fn::GetAtt, Fn::Sub and DependsOn between resources form a cycle; the message names it.",
    ),
    rule("CFN2007", W, "Unused parameter", "The parameter is referenced nowhere (Ref or Fn::Sub)."),
    rule(
        "CFN2008",
        W,
        "Unused condition",
        "The condition is used by no resource, output, Fn::If or other condition.",
    ),
    rule(
        "CFN2009",
        E,
        "Unknown condition",
        "Fn::If, a Condition attribute or a {Condition: name} names a condition that is not defined.",
    ),
    rule(
        "CFN2010",
        E,
        "Malformed intrinsic function",
        "The function's arguments have the wrong shape (e.g. Fn::If with two elements, Fn::GetAtt without an attribute).",
    ),
    rule(
        "CFN2011",
        E,
        "Fn::FindInMap to an unknown mapping or key",
        "With literal keys, the mapping and both keys must exist.",
    ),
    rule(
        "CFN2012",
        E,
        "Duplicate export name",
        "Two outputs export the same name; export names are unique per account and region.",
    ),
    rule(
        "CFN2013",
        E,
        "Reference not allowed here",
        "Conditions may reference only parameters and pseudo parameters (no Fn::GetAtt or Fn::ImportValue); Parameters and Mappings may not use intrinsic functions; Fn::ImportValue cannot depend on resources or other imports; the Rules functions (Fn::Contains, Fn::EachMemberEquals, ...) only work in Rules.",
    ),
    rule(
        "CFN2014",
        E,
        "Duplicate primary identifier",
        "Two unconditional resources of one type with the same literal primary identifier (e.g. BucketName, FunctionName) cannot both exist.",
    ),
    rule("CFN2015", W, "Unused mapping", "The mapping is named by no Fn::FindInMap."),
    // Resource properties against the registry schemas.
    rule(
        "CFN3001",
        E,
        "Property not allowed",
        "The property is not defined by the type's schema (or is read-only: an attribute, not an input).",
    ),
    rule(
        "CFN3002",
        E,
        "Required property missing",
        "The schema's `required` list names a property that is not set.",
    ),
    rule(
        "CFN3003",
        E,
        "Wrong type",
        "The value (or what an intrinsic function returns: Fn::Split, Fn::GetAZs, Fn::Cidr and List parameters return lists) does not fit the property's type. Strings that convert to the expected number or boolean are accepted, as CloudFormation does.",
    ),
    rule("CFN3004", E, "Value not allowed", "The value is not one of the schema's `enum`/`const` values."),
    rule(
        "CFN3005",
        E,
        "Pattern mismatch",
        "The string does not match the property's `pattern` (Python-only regex anchors are translated when loading the schema).",
    ),
    rule("CFN3006", E, "String too short", "The string is shorter than `minLength`."),
    rule("CFN3007", E, "String too long", "The string is longer than `maxLength`."),
    rule("CFN3008", E, "Number too small", "The number is below `minimum`/`exclusiveMinimum`."),
    rule("CFN3009", E, "Number too large", "The number is above `maximum`/`exclusiveMaximum`."),
    rule("CFN3010", E, "Too few items", "The list has fewer than `minItems` items."),
    rule(
        "CFN3011",
        E,
        "Too many items",
        "The list has more than `maxItems` items (or more distinct items than `maxUniqueItems`).",
    ),
    rule("CFN3012", E, "Duplicate items", "The list must hold unique items (`uniqueItems`)."),
    rule(
        "CFN3013",
        E,
        "Exactly one alternative required",
        "The value must match exactly one of the schema's alternatives (`oneOf`).",
    ),
    rule(
        "CFN3014",
        E,
        "No alternative matches",
        "The value matches none of the schema's alternatives (`anyOf`).",
    ),
    rule(
        "CFN3015",
        E,
        "Mutually exclusive properties (requiredXor)",
        "Exactly one of the listed properties must be set.",
    ),
    rule(
        "CFN3016",
        E,
        "One of several properties required (requiredOr)",
        "At least one of the listed properties must be set.",
    ),
    rule(
        "CFN3017",
        E,
        "Excluded property combination (dependentExcluded)",
        "When the first property is set, the listed properties must not be.",
    ),
    rule(
        "CFN3018",
        E,
        "Dependent property missing (dependentRequired)",
        "When the first property is set, the listed properties must be set too.",
    ),
    rule(
        "CFN3019",
        E,
        "Invalid JSON string",
        "A property the schema marks `format: json` (dashboard bodies, policies given as strings) must hold valid JSON when it is a literal.",
    ),
    rule(
        "CFN3020",
        E,
        "Property count out of range",
        "The mapping has fewer than `minProperties` or more than `maxProperties` entries.",
    ),
    rule(
        "CFN3021",
        E,
        "Other schema violation",
        "Any other JSON Schema keyword (`not`, `multipleOf`, `contains`, `propertyNames`, ...) failed.",
    ),
    rule(
        "CFN3022",
        E,
        "Invalid identifier format",
        "The value does not have the shape the schema's `format` requires: a CIDR network (`ipv4-network`, `ipv6-network`, host bits zero) or an AWS identifier (`AWS::EC2::VPC.Id` = vpc-..., `AWS::KMS::Key.Arn`, `AWS::S3::Bucket.Name`, ...; patterns as cfn-lint defines them). Dynamic references ({{resolve:...}}) are not judged.",
    ),
    // Limits.
    rule("CFN4001", E, "Too many resources", "A template holds at most 500 resources."),
    rule("CFN4002", E, "Too many parameters", "A template holds at most 200 parameters."),
    rule("CFN4003", E, "Too many outputs", "A template holds at most 200 outputs."),
    rule("CFN4004", E, "Template too large for S3", "A template read from S3 holds at most 1,000,000 bytes."),
    rule(
        "CFN4005",
        W,
        "Template too large to pass inline",
        "A template body passed inline holds at most 51,200 bytes; larger templates must be uploaded to S3 (cfnc deploy does).",
    ),
    rule(
        "CFN4006",
        E,
        "Invalid logical id",
        "Logical ids of resources, parameters, conditions, mappings and outputs are 1 to 255 ASCII letters and digits.",
    ),
    rule("CFN4007", E, "Too many mappings", "A template holds at most 200 mappings."),
    // Service rules.
    rule(
        "CFN5001",
        E,
        "Invalid alarm period",
        "CloudWatch alarm periods (Period, and MetricStat.Period in Metrics) are 10, 20, 30 or a multiple of 60 seconds. (cfn-lint E3615 omits 20; the vendored schema and the CloudWatch API reference allow it for high-resolution alarms.)",
    ),
    rule(
        "CFN5002",
        E,
        "Invalid IAM policy document",
        "A policy document is a mapping with Version 2012-10-17 or 2008-10-17 and a Statement (a mapping or a list), and no other keys than Version, Id and Statement.",
    ),
    rule("CFN5003", E, "Invalid IAM statement effect", "Each statement has Effect Allow or Deny."),
    rule(
        "CFN5004",
        E,
        "IAM statement without actions",
        "Each statement has exactly one of Action and NotAction.",
    ),
    rule(
        "CFN5005",
        E,
        "IAM statement resource or principal",
        "Identity policies (IAM roles, policies, managed policies) need Resource or NotResource and no Principal; trust and resource policies (AssumeRolePolicyDocument, bucket, topic and key policies) need Principal or NotPrincipal.",
    ),
    rule(
        "CFN5006",
        E,
        "Invalid IAM statement key",
        "A statement holds only Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition.",
    ),
    rule(
        "CFN5007",
        E,
        "Metric math references an unknown id",
        "An Expression in an alarm's Metrics names an id that no other metric of the alarm defines.",
    ),
    rule(
        "CFN5008",
        E,
        "Alarm metrics must return exactly one series",
        "In an alarm's Metrics exactly one entry has ReturnData true (omitted means true).",
    ),
    rule(
        "CFN5009",
        E,
        "Lambda .zip function without Runtime or Handler",
        "A function deployed as a .zip package (PackageType Zip or omitted, no Code.ImageUri) needs Runtime and Handler.",
    ),
    rule(
        "CFN5010",
        E,
        "Overlapping subnets",
        "Two unconditional subnets of the same VPC (same VpcId expression) have overlapping literal IPv4 CidrBlocks.",
    ),
    rule(
        "CFN5011",
        E,
        "IAM resource is not an ARN",
        "Literal Resource/NotResource entries of a policy statement are ARNs (`arn:partition:service:region:account:resource`), or `*` except in S3 bucket policies.",
    ),
    rule(
        "CFN5012",
        E,
        "Lambda runtime no longer accepted",
        "The function's Runtime is past its create-block date in Lambda's runtime deprecation policy (dates in schema/lambda-runtime-lifecycle.json, vendored from cfn-lint): creating the function fails. The finding names the successor. Today's date comes from the clock, or from SOURCE_DATE_EPOCH. Also for SAM functions (`AWS::Serverless::Function`, `Globals: Function`).",
    ),
    rule(
        "CFN5013",
        W,
        "Deprecated Lambda runtime",
        "The function's Runtime is deprecated (no more security patches) and will stop accepting new functions on its create-block date; the finding names both and the successor.",
    ),
    rule(
        "CFN5014",
        E,
        "DynamoDB attributes do not match the key schemas",
        "AttributeDefinitions define exactly the attributes used by the table's KeySchema and its global and local secondary indexes' key schemas: DynamoDB rejects an undefined key attribute and an unused definition (cfn-lint E3039).",
    ),
    rule(
        "CFN5015",
        E,
        "Backup cold storage shorter than 90 days",
        "In an AWS Backup lifecycle, DeleteAfterDays is at least MoveToColdStorageAfterDays + 90: a recovery point stays in cold storage at least 90 days (cfn-lint E3504).",
    ),
    rule(
        "CFN5016",
        E,
        "ElastiCache cluster mode without failover",
        "A replication group whose parameter group sets `cluster-enabled: yes` needs AutomaticFailoverEnabled true and, without NumNodeGroups/NodeGroupConfiguration, NumCacheClusters of at least 2 (cfn-lint E3026).",
    ),
    rule(
        "CFN5017",
        E,
        "Ref to an IAM role with a path",
        "CodeBuild's ServiceRole given as `Ref` of a role gets the role's name, which it resolves without the role's Path: a role with a Path other than `/` must be given by ARN (Fn::GetAtt Role.Arn) (cfn-lint E3050).",
    ),
    rule(
        "CFN5018",
        E,
        "Invalid CloudFront alias",
        "CloudFront alternate domain names (DistributionConfig.Aliases) are lower-case DNS names of letters, digits and hyphens, with `*` only as the whole leftmost label (cfn-lint E3013).",
    ),
    rule(
        "CFN5019",
        E,
        "Nested stack parameters do not match its template",
        "A nested stack whose TemplateURL is a local file (before `aws cloudformation package`): its Parameters name only parameters of that template, and give every one that has no Default (cfn-lint E3043). Templates given by URL are not fetched.",
    ),
    rule(
        "CFN5020",
        E,
        "CloudFront behavior targets no origin",
        "A cache behavior's TargetOriginId (DefaultCacheBehavior, CacheBehaviors) names an origin or origin group of the same distribution (cfn-lint E3057).",
    ),
    rule(
        "CFN5021",
        E,
        "Subnet outside its VPC",
        "A subnet's literal IPv4 CidrBlock lies within its VPC's CidrBlock or a block an AWS::EC2::VPCCidrBlock adds to that VPC (all literal; IPAM-assigned or computed blocks are not judged) (cfn-lint E3059).",
    ),
    rule(
        "CFN5022",
        E,
        "Composite alarm names more than 100 alarms",
        "A composite alarm's AlarmRule names at most 100 underlying alarms (the arguments of ALARM, OK, INSUFFICIENT_DATA and AT_LEAST; PutCompositeAlarm API reference): CloudWatch rejects the rule at deploy time. Group the alarms into composite alarms of at most 100 and combine those (a rule may name composite alarms).",
    ),
    rule(
        "CFN5023",
        E,
        "Composite alarm rule too long",
        "An AlarmRule built with Fn::Sub or Fn::Join is at most 10,240 characters once the alarm names it refers to are resolved (names unknown in the template count as one character, so only rules that are too long in any case are reported; literal rules are checked by the schema).",
    ),
    rule(
        "CFN5024",
        E,
        "Alarm in more than 150 composite alarms",
        "One alarm may be named in the rules of at most 150 composite alarms (PutCompositeAlarm API reference); counted within the template.",
    ),
    // cfn-lint's constraint data.
    rule(
        "CFN6001",
        E,
        "Service constraint",
        "A constraint from cfn-lint's extension data (schema/extensions/, applied where cfn-lint applies it: schema/extension-rules.json) does not hold: a property that another one requires or excludes (a Lambda Timeout over 900 s without CapacityProviderConfig, Iops for io1 volumes), a value a service does not accept (an instance type no region offers, a Route 53 record that is not an address of its type). The message names the cfn-lint rule. Values computed by intrinsic functions are not judged.",
    ),
    rule(
        "CFN6002",
        W,
        "Service recommendation",
        "A warning-level constraint from cfn-lint's extension data (e.g. an SNS subscription whose Endpoint is not an ARN of the Protocol's service, a deprecated RDS engine version); the message names the cfn-lint rule.",
    ),
];

/// The rule with `code`.
pub fn rule_for(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The rule table as Markdown (the body of docs/rules.md).
pub fn markdown() -> String {
    let mut out = String::from(
        "# cfnc validate: rules\n\n\
         Generated from `src/validate/rules.rs` by `cfnc validate --list-rules`; a test keeps it in sync.\n\n\
         Every finding carries one of these codes, a severity, a message, a JSON pointer into the\n\
         template and, when the source is known, `file:line:column`. `cfnc validate` exits 0 when no\n\
         finding is an error (with `--strict`: no error and no warning), 1 otherwise, and 2 when a\n\
         file cannot be read or the command line is wrong.\n\n\
         | Code | Severity | Rule | What it checks |\n|---|---|---|---|\n",
    );
    for r in RULES {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.code,
            r.severity,
            r.title,
            r.help.replace('|', "\\|")
        ));
    }
    out.push_str(NOTES);
    out.push_str(COVERAGE);
    out.push_str(&super::extensions::coverage_rows());
    out.push_str(NOT_COVERED);
    out
}

const NOTES: &str = "
## Notes

- **Synthetics canary names.** Older documentation limits canary names to 21 characters. The
  vendored `AWS::Synthetics::Canary` schema (cfn-lint 1.58.0, matching the current CloudFormation
  registry) allows up to 255 characters matching `^[0-9a-z_\\-]+$`, and CFN3005/CFN3007 enforce
  exactly that. There is deliberately no separate 21-character rule: it would reject names
  CloudFormation accepts.
- **Intrinsic functions** satisfy the type they resolve to: Ref, Fn::GetAtt (per the attribute's
  schema type), Fn::Sub, Fn::Join, Fn::Base64, Fn::ImportValue give strings (which CloudFormation
  converts to numbers and booleans where needed); Fn::GetAZs, Fn::Split, Fn::Cidr, Ref to a List
  or CommaDelimitedList parameter and AWS::NotificationARNs give lists; Fn::FindInMap with literal
  keys resolves through Mappings; Fn::Select of a literal list resolves; anything else is accepted.
  Fn::If is checked branch by branch: every consistent combination of the conditions a resource
  uses (conditions tied by Fn::Not, or comparing one parameter with different values, are not
  combined inconsistently) is validated, and `Ref: AWS::NoValue` removes the property or item.
- **Formats** (`format` in the registry schemas): `json` (CFN3019), `ipv4-network`, `ipv6-network`
  and the AWS identifier formats (CFN3022) are checked; others (e.g. `AWS::EC2::SecurityGroup.Ids`,
  `uri`) are not.
- **Every resource type** of the registry (1,898 in cfn-lint 1.58.0) is checked against its full
  schema (schema/README.md). A few registry patterns use regular-expression features only
  Python has (`(?i)` inside a pattern, a quantified look-ahead); they are not checked, in
  AWS::Budgets::BudgetsAction, AWS::CloudFormation::GuardHook and LambdaHook, AWS::EFS::AccessPoint,
  AWS::KinesisAnalyticsV2::Application, AWS::S3Files::AccessPoint and AWS::SMSVOICE::PhoneNumber
  and Pool.
- **Instance types and other per-region lists** (cfn-lint's data from the pricing API) accept a
  value valid in any region: `cfnc validate` does not know the target region.
";

const COVERAGE: &str = "
## cfn-lint's constraint data

cfn-lint keeps many service constraints as JSON Schema (schema/extensions/, schema/other/) and
says in its rule classes where each applies (schema/extension-rules.json, derived by
scripts/refresh-schemas). cfnc applies them with its own evaluator, which treats values computed
by intrinsic functions as unknown (no finding) and checks `Fn::If` branches per consistent
combination of conditions. Findings name the cfn-lint rule.

| cfn-lint rule | What | Data | In cfnc |
|---|---|---|---|
";

const NOT_COVERED: &str = "
## cfn-lint rules in Python

Checks cfn-lint implements in code rather than data were chosen by how often they catch real
mistakes. Implemented: E3039 DynamoDB key attributes (CFN5014), E3504 Backup cold storage
(CFN5015), E3026 ElastiCache cluster mode (CFN5016), E3050 CodeBuild role path (CFN5017),
E3013 CloudFront aliases (CFN5018), E3043 nested stack parameters for local templates (CFN5019),
E3057 CloudFront TargetOriginId (CFN5020), E3059 subnet CIDR within the VPC's (CFN5021),
E5001 modules (CFN1019), E2531/E2533 Lambda runtime lifecycle, SAM functions included
(CFN5012/CFN5013), E3060 overlapping subnets (CFN5010), E3615 alarm periods (CFN5001), and the
template structure and reference rules (CFN1xxx, CFN2xxx, CFN4xxx).

Not implemented (cfnc reports nothing for these):

- anything that needs the SAM transform expanded (cfn-lint runs the SAM translator first:
  required properties of `AWS::Serverless::*`, `Globals`, nested SAM applications), and cfn-lint's
  own configuration in templates (`Metadata: cfn-lint:` ignore_checks, configure_rules);
- format compatibility between a `Ref`/`Fn::GetAtt` and the property it feeds (E1040, E1041),
  dynamic reference structure and placement (E1027, E1050-E1052), `Sub` needed for `${}` in a
  plain string (E1029);
- cross-resource and service checks: Route 53 HostedZoneName vs Name (E3041), ACM validation domains
  (E3503), ECS host ports (E3049, E3053), Auto Scaling health check types (E3056), S3
  intelligent-tiering days (E3061), GuardDuty detector exclusivity (E3063), VPC endpoint private
  DNS (E3064), CodePipeline stages and artifacts (E3700-E3703), Lambda SnapStart runtimes
  (E2530), environment size (E3697) and layer ARN length (E3716), EventBridge schedule
  expressions (E3027), EC2 ImageId requirement (E3673), IAM role ARN and resource-policy ARN
  patterns (E3511, E3514), subscription filters per log group (E2529), types of retired services
  (E3710);
- nested stacks given by URL (their templates are not fetched).
";
