//! Typed CloudFormation resources, generated from the vendored schemas in `schema/`.
//!
//! Everything below `src/resources/` except this file is written by `cfnc-codegen`
//! (`scripts/regen`) and must not be edited by hand.
//!
//! Layout: `cfnc::resources::<service>::<resource>` holds one type (`s3::bucket`), with the
//! resource struct (`Bucket`), its property types (`BucketEncryption`, enums such as
//! `SseAlgorithm`) and its attribute enum (`BucketAttr`); `cfnc::resources::<service>`
//! re-exports each resource struct and attribute enum.
//!
//! A typed resource only names the attributes its type has: `Fn::GetAtt` goes through a
//! [`Handle`](crate::model::Handle) and takes the type's own attribute enum.
//!
//! ```
//! use cfnc::model::{Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr};
//!
//! let mut t = Template::new("example");
//! let bucket = t.add("Bucket", Bucket::default()).unwrap();
//! let _key = t.add("Key", Key::default()).unwrap();
//! let arn: Value<String> = bucket.get_att(BucketAttr::Arn);
//! # assert_eq!(serde_json::to_value(&arn).unwrap(), serde_json::json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
//! ```
//!
//! An attribute the type does not have does not compile (`AWS::S3::Bucket` has no `KeyId`):
//!
//! ```compile_fail,E0599
//! use cfnc::model::{Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr};
//!
//! let mut t = Template::new("example");
//! let bucket = t.add("Bucket", Bucket::default()).unwrap();
//! let _key = t.add("Key", Key::default()).unwrap();
//! let arn: Value<String> = bucket.get_att(BucketAttr::KeyId);
//! ```
//!
//! nor does another type's attribute (a KMS key's `Arn` asked of a bucket):
//!
//! ```compile_fail,E0308
//! use cfnc::model::{Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr};
//!
//! let mut t = Template::new("example");
//! let bucket = t.add("Bucket", Bucket::default()).unwrap();
//! let _key = t.add("Key", Key::default()).unwrap();
//! let arn: Value<String> = bucket.get_att(KeyAttr::Arn);
//! ```

include!("generated.rs");

pub use crate::model::Tag;

/// A required property's state in a builder once it is set: its `Value<T>`. The builders'
/// `build()` requires it of every required property, so a missing one is a compile error
/// that names it (`missing::<setter>` is the state before the setter is called).
#[diagnostic::on_unimplemented(
    message = "required property not set: `{Self}`",
    label = "this builder still misses the required property `{Self}`",
    note = "call the builder's setter named like it before `build()`"
)]
pub trait Required<T> {
    /// The property's value.
    fn value(self) -> crate::model::Value<T>;
}

impl<T> Required<T> for crate::model::Value<T> {
    fn value(self) -> crate::model::Value<T> {
        self
    }
}

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

/// Something done for each generated resource type (see [`visit_all`]).
pub trait TypeVisitor {
    fn visit<R: ResourceType>(&mut self);
}
