//! Message templates on a WhatsApp Business Account: `GET|POST|DELETE
//! /{waba-id}/message_templates`, `GET|POST /{template-id}`.
//!
//! Listing and reading are retried after an unanswered attempt; creating, editing and
//! deleting are not (a second create could make a duplicate, a second edit spends Meta's edit
//! allowance, a second delete answers "not found" for a template that was deleted): an
//! unanswered attempt is reported as [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).

use std::time::Duration;

use reqwest::Method;

use super::manage::{
    check_graph_id, json_body, management_call, run_json, run_success, BusinessAccount,
};
use super::paging::List;
use crate::error::{Result, ValidationError};
use crate::layers::facts::Management;
use crate::models::templates::{
    CreatedTemplate, NewTemplate, TemplateCategory, TemplateEdit, TemplateInfo, TemplateStatus,
};

const LIST: Management = Management::read("template-list");
const GET: Management = Management::read("template-get");
const CREATE: Management = Management::not_idempotent("template-create");
const EDIT: Management = Management::not_idempotent("template-edit");
const DELETE: Management = Management::not_idempotent("template-delete");

/// The templates of a WhatsApp Business Account.
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// use wacloud::models::templates::{NewTemplate, TemplateBody, TemplateCategory, TemplateStatus};
/// let templates = client.business_account().templates();
/// for template in templates.list().status(TemplateStatus::Approved).await? {
///     println!("{} {} {}", template.name, template.language, template.category);
/// }
/// let created = templates
///     .create(
///         NewTemplate::new("order_shipped", "en_US", TemplateCategory::Utility)
///             .body(TemplateBody::new("Hi {{1}}, your order shipped.").examples(["Pablo"])),
///     )
///     .await?;
/// println!("{} {}", created.id, created.status);
/// templates.delete_by_name("order_shipped").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Templates {
    account: BusinessAccount,
}

impl BusinessAccount {
    /// The account's message templates.
    pub fn templates(&self) -> Templates {
        Templates {
            account: self.clone(),
        }
    }
}

impl Templates {
    /// Lists the templates, following every page; narrow it with the filters on
    /// [`List<TemplateInfo>`](List).
    pub fn list(&self) -> List<TemplateInfo> {
        List::new(
            self.account.client.clone(),
            self.account.url(&["message_templates"]),
            LIST,
            None,
        )
    }

    /// Reads one template by id.
    pub fn get(&self, template_id: impl Into<String>) -> GetTemplateRequest {
        GetTemplateRequest {
            account: self.account.clone(),
            template_id: template_id.into(),
            deadline: None,
        }
    }

    /// Creates a template (checked against Meta's limits first; a definition that breaks one
    /// is an [`Error::Validation`](crate::Error::Validation) and makes no request).
    pub fn create(&self, template: NewTemplate) -> CreateTemplateRequest {
        CreateTemplateRequest {
            account: self.account.clone(),
            template,
            deadline: None,
        }
    }

    /// Edits a template by id (checked like a create).
    pub fn edit(&self, template_id: impl Into<String>, edit: TemplateEdit) -> EditTemplateRequest {
        EditTemplateRequest {
            account: self.account.clone(),
            template_id: template_id.into(),
            edit,
            deadline: None,
        }
    }

    /// Deletes every language of the template called `name`.
    pub fn delete_by_name(&self, name: impl Into<String>) -> DeleteTemplateRequest {
        DeleteTemplateRequest {
            account: self.account.clone(),
            name: name.into(),
            template_id: None,
            deadline: None,
        }
    }

    /// Deletes one template (one language) by its id and name.
    pub fn delete_by_id(
        &self,
        template_id: impl Into<String>,
        name: impl Into<String>,
    ) -> DeleteTemplateRequest {
        DeleteTemplateRequest {
            account: self.account.clone(),
            name: name.into(),
            template_id: Some(template_id.into()),
            deadline: None,
        }
    }
}

/// The filters of a template list.
impl List<TemplateInfo> {
    /// Only templates whose name contains `name`.
    pub fn name(self, name: &str) -> Self {
        self.query("name", name)
    }

    /// Only templates in this review status.
    pub fn status(self, status: TemplateStatus) -> Self {
        self.query("status", status.as_str())
    }

    /// Only templates in this category.
    pub fn category(self, category: TemplateCategory) -> Self {
        self.query("category", category.as_str())
    }

    /// Only templates in this language (e.g. `en_US`).
    pub fn language(self, language: &str) -> Self {
        self.query("language", language)
    }
}

/// Reads a template.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct GetTemplateRequest {
    account: BusinessAccount,
    template_id: String,
    deadline: Option<Duration>,
}

impl GetTemplateRequest {
    async fn run(self) -> Result<TemplateInfo> {
        check_graph_id("template_id", &self.template_id)?;
        let client = &self.account.client;
        let url = client.endpoint().url(&[&self.template_id]);
        let call = self.account.call(Method::GET, url, GET);
        run_json(client, call, self.deadline).await
    }
}

management_call!(GetTemplateRequest -> TemplateInfo);

/// Creates a template.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateTemplateRequest {
    account: BusinessAccount,
    template: NewTemplate,
    deadline: Option<Duration>,
}

impl CreateTemplateRequest {
    async fn run(self) -> Result<CreatedTemplate> {
        self.template.check()?;
        let url = self.account.url(&["message_templates"])?;
        let mut call = self.account.call(Method::POST, url, CREATE);
        call.body = Some(json_body("template", &self.template.to_json())?);
        run_json(&self.account.client, call, self.deadline).await
    }
}

management_call!(CreateTemplateRequest -> CreatedTemplate);

/// Edits a template.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EditTemplateRequest {
    account: BusinessAccount,
    template_id: String,
    edit: TemplateEdit,
    deadline: Option<Duration>,
}

impl EditTemplateRequest {
    async fn run(self) -> Result<()> {
        check_graph_id("template_id", &self.template_id)?;
        self.edit.check()?;
        let client = &self.account.client;
        let url = client.endpoint().url(&[&self.template_id]);
        let mut call = self.account.call(Method::POST, url, EDIT);
        call.body = Some(json_body("template", &self.edit.to_json())?);
        run_success(client, call, self.deadline).await
    }
}

management_call!(EditTemplateRequest -> ());

/// Deletes a template by name (every language) or by id and name (one language).
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct DeleteTemplateRequest {
    account: BusinessAccount,
    name: String,
    template_id: Option<String>,
    deadline: Option<Duration>,
}

impl DeleteTemplateRequest {
    async fn run(self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::new("name", "must not be empty").into());
        }
        let mut url = self.account.url(&["message_templates"])?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(id) = &self.template_id {
                check_graph_id("template_id", id)?;
                query.append_pair("hsm_id", id);
            }
            query.append_pair("name", &self.name);
        }
        let call = self.account.call(Method::DELETE, url, DELETE);
        run_success(&self.account.client, call, self.deadline).await
    }
}

management_call!(DeleteTemplateRequest -> ());
