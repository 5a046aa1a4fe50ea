//! Typed CloudFormation resources, generated from the vendored schemas in `schema/`.
//!
//! Everything below `src/resources/` except this file is written by `cfnc-codegen`
//! (`scripts/regen`) and must not be edited by hand.

include!("generated.rs");

/// A CloudFormation resource type with a generated typed model.
pub trait ResourceType: serde::Serialize {
    /// `AWS::S3::Bucket`.
    const TYPE_NAME: &'static str;
    /// What `Ref` returns, as documented by the schema's primary identifier.
    const REF_RETURNS: &'static str;
    /// JSON pointers (`/properties/BucketName`) of create-only properties: changing one
    /// replaces the resource.
    const CREATE_ONLY: &'static [&'static str];
    /// JSON pointers of conditionally create-only properties: changing one may replace the
    /// resource, depending on the change.
    const CONDITIONAL_CREATE_ONLY: &'static [&'static str];
    /// The attributes `Fn::GetAtt` accepts.
    type Attr: Attribute;
}

/// One `Fn::GetAtt` attribute of a resource type.
pub trait Attribute: Copy + 'static {
    /// Every attribute of the type.
    const ALL: &'static [Self];
    /// The attribute name as CloudFormation spells it (`Arn`, `Endpoint.Address`).
    fn name(self) -> &'static str;
}
