//! An ordered, editable list of named middleware layers.

use std::fmt;
use std::sync::Arc;

use reqwest_middleware::Middleware;

use super::chain::Builtin;

/// One named layer.
#[derive(Clone)]
pub struct Layer {
    name: String,
    middleware: Arc<dyn Middleware>,
    /// Set for a built-in layer the client builder made: runs fused with its neighbours.
    builtin: Option<Builtin>,
}

impl Layer {
    /// A layer from any reqwest-middleware middleware.
    pub fn new(name: impl Into<String>, middleware: impl Middleware) -> Self {
        Layer {
            name: name.into(),
            middleware: Arc::new(middleware),
            builtin: None,
        }
    }

    /// A built-in layer made by the client builder.
    pub(crate) fn built_in(name: impl Into<String>, builtin: Builtin) -> Self {
        Layer {
            name: name.into(),
            middleware: builtin.middleware(),
            builtin: Some(builtin),
        }
    }

    /// A layer from a shared middleware.
    pub fn from_arc(name: impl Into<String>, middleware: Arc<dyn Middleware>) -> Self {
        Layer {
            name: name.into(),
            middleware,
            builtin: None,
        }
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn middleware(&self) -> Arc<dyn Middleware> {
        Arc::clone(&self.middleware)
    }

    /// The built-in layer, when the client builder made this one.
    pub(crate) fn builtin(&self) -> Option<&Builtin> {
        self.builtin.as_ref()
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Layer").field(&self.name).finish()
    }
}

/// The layers around every call, outermost first.
///
/// ```
/// use wacloud::layers::{self, Layer, LayerStack};
/// # fn demo(mut stack: LayerStack, mine: Layer) {
/// stack.remove(layers::RATE_LIMIT);
/// stack.insert_before(layers::RETRY, mine);
/// assert_eq!(stack.names()[0], layers::RECIPIENTS);
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct LayerStack {
    layers: Vec<Layer>,
}

impl LayerStack {
    /// An empty stack: calls go straight to the transport.
    pub fn empty() -> Self {
        LayerStack::default()
    }

    /// The names, outermost first.
    pub fn names(&self) -> Vec<&str> {
        self.layers.iter().map(Layer::name).collect()
    }

    /// The layers, outermost first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Whether a layer of that name is present.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|layer| layer.name == name)
    }

    /// Removes a layer by name and returns it.
    pub fn remove(&mut self, name: &str) -> Option<Layer> {
        self.position(name).map(|index| self.layers.remove(index))
    }

    /// Adds a layer innermost (closest to the transport).
    pub fn push(&mut self, layer: Layer) -> &mut Self {
        self.layers.push(layer);
        self
    }

    /// Adds a layer outermost.
    pub fn push_front(&mut self, layer: Layer) -> &mut Self {
        self.layers.insert(0, layer);
        self
    }

    /// Inserts a layer just outside the named one (or innermost if it is absent).
    pub fn insert_before(&mut self, name: &str, layer: Layer) -> &mut Self {
        let index = self.position(name).unwrap_or(self.layers.len());
        self.layers.insert(index, layer);
        self
    }

    /// Inserts a layer just inside the named one (or innermost if it is absent).
    pub fn insert_after(&mut self, name: &str, layer: Layer) -> &mut Self {
        let index = self
            .position(name)
            .map_or(self.layers.len(), |index| index + 1);
        self.layers.insert(index, layer);
        self
    }

    /// Replaces the named layer in place; returns the old one.
    pub fn replace(&mut self, name: &str, layer: Layer) -> Option<Layer> {
        let index = self.position(name)?;
        Some(std::mem::replace(&mut self.layers[index], layer))
    }

    /// Reorders the stack to the given names (outermost first); unnamed layers are dropped.
    pub fn reorder(&mut self, names: &[&str]) -> &mut Self {
        let mut old = std::mem::take(&mut self.layers);
        for name in names {
            if let Some(index) = old.iter().position(|layer| layer.name == *name) {
                self.layers.push(old.remove(index));
            }
        }
        self
    }
}
