//! The typed model read from the located [`Node`] tree, not from the YAML text a second time.
//!
//! Parsing YAML is the slowest step of loading a large spec; the tree already holds every
//! value (aliases expanded, booleans strict), so a serde `Deserializer` over it gives the
//! model at a fraction of the cost, and a type error (a number out of range) carries the
//! position of the value it concerns.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::yaml::{Key, Node, NodeKind, YamlError};
use crate::diagnostics::Loc;

/// Deserializes `T` from a node tree.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, YamlError> {
    T::deserialize(NodeDe(node)).map_err(|e| YamlError {
        loc: e.loc.unwrap_or(node.loc),
        message: e.message,
    })
}

#[derive(Debug)]
pub struct DeError {
    loc: Option<Loc>,
    message: String,
}

impl DeError {
    /// The innermost position wins.
    fn at(mut self, loc: Loc) -> Self {
        self.loc.get_or_insert(loc);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            loc: None,
            message: msg.to_string(),
        }
    }
}

struct NodeDe<'a>(&'a Node);

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.0;
        match &node.kind {
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Bool(b) => visitor.visit_bool(*b),
            NodeKind::Int(i) => visitor.visit_i64(*i),
            NodeKind::Float(f) => visitor.visit_f64(*f),
            NodeKind::Str(s) => visitor.visit_str(s),
            NodeKind::Seq(items) => visitor.visit_seq(Seq(items.iter())),
            NodeKind::Map(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                value: None,
            }),
        }
        .map_err(|e| e.at(node.loc))
    }

    /// A plain scalar such as `2` or `true` is also text where the model wants a string, as
    /// YAML deserializers read it.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.0;
        match &node.kind {
            NodeKind::Int(i) => visitor.visit_string(i.to_string()),
            NodeKind::Bool(b) => visitor.visit_string(b.to_string()),
            NodeKind::Float(f) => visitor.visit_string(f.to_string()),
            _ => return self.deserialize_any(visitor),
        }
        .map_err(|e: DeError| e.at(node.loc))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.kind {
            NodeKind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    /// `variant` or `{ variant: content }`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let node = self.0;
        match &node.kind {
            NodeKind::Str(s) => visitor.visit_enum(Enum {
                key: s,
                value: None,
            }),
            NodeKind::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                visitor.visit_enum(Enum {
                    key: &key.name,
                    value: Some(value),
                })
            }
            _ => Err(de::Error::custom(format!(
                "expected a name or a mapping with one key, found {}",
                node.kind_name()
            ))),
        }
        .map_err(|e| e.at(node.loc))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        self.0
            .next()
            .map(|node| seed.deserialize(NodeDe(node)))
            .transpose()
    }
}

struct Map<'a> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let name: de::value::StrDeserializer<'_, DeError> = key.name.as_str().into_deserializer();
        seed.deserialize(name).map(Some).map_err(|e| e.at(key.loc))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(node) => seed.deserialize(NodeDe(node)),
            None => Err(de::Error::custom("a value was read before its key")),
        }
    }
}

struct Enum<'a> {
    key: &'a str,
    value: Option<&'a Node>,
}

impl<'de, 'a> EnumAccess<'de> for Enum<'a> {
    type Error = DeError;
    type Variant = Variant<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Variant<'a>), DeError> {
        let name: de::value::StrDeserializer<'_, DeError> = self.key.into_deserializer();
        Ok((seed.deserialize(name)?, Variant(self.value)))
    }
}

struct Variant<'a>(Option<&'a Node>);

impl<'de> VariantAccess<'de> for Variant<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            None => Ok(()),
            Some(node) if node.kind == NodeKind::Null => Ok(()),
            Some(node) => Err(<DeError as de::Error>::custom(format!(
                "expected no value, found {}",
                node.kind_name()
            ))
            .at(node.loc)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.0 {
            Some(node) => seed.deserialize(NodeDe(node)),
            None => Err(de::Error::custom("expected a value")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Some(node) => de::Deserializer::deserialize_any(NodeDe(node), visitor),
            None => Err(de::Error::custom("expected a list")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Some(node) => de::Deserializer::deserialize_any(NodeDe(node), visitor),
            None => Err(de::Error::custom("expected a mapping")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::spec::model::Spec;
    use crate::spec::yaml::{self, Limits};

    /// Every spec of this repository (and the consumer's fixture) reads into the same model
    /// from the node tree as from the YAML text.
    #[test]
    fn the_model_from_the_tree_is_the_model_from_the_text() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs: Vec<_> = std::fs::read_dir(root.join("specs"))
            .expect("specs/")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        specs.push(root.join("tests/consumer/specs/bookshop.yaml"));
        assert!(specs.len() >= 6);
        for path in specs {
            let source = std::fs::read_to_string(&path).expect("readable");
            let limits = Limits::default();
            let node = yaml::parse(&source, &limits).expect("parses");
            let from_tree: Spec = from_node(&node).expect("from the tree");
            let from_text: Spec = yaml::from_str(&source, &limits).expect("from the text");
            assert_eq!(
                serde_json::to_value(&from_tree).expect("serializes"),
                serde_json::to_value(&from_text).expect("serializes"),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn type_errors_point_at_their_value() {
        let source = "a: 1\nb:\n  c: 300\n";
        let node = yaml::parse(source, &Limits::default()).expect("parses");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            c: u8,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Outer {
            a: u8,
            b: Inner,
        }
        let err = from_node::<Outer>(&node).expect_err("300 is not a u8");
        assert_eq!((err.loc.line, err.loc.column), (3, 6), "{}", err.message);
    }
}
