//! `n` distinct recipients the default recipient rules accept, shared by the drills'
//! support modules (`drill_support`, `many_senders_support`), which include this file.

use wacloud::layers::recipients::RecipientRules;

/// `n` distinct recipients that [`RecipientRules::default`] accepts: US numbers across several
/// area codes and exchanges (`+1 650 555 XXXX` alone has too few valid ones).
pub fn recipients(n: usize) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    const AREAS: [&str; 10] = [
        "415", "650", "212", "312", "617", "206", "303", "512", "404", "213",
    ];
    let rules = RecipientRules::default();
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        if i > n.saturating_mul(20).max(1_000) {
            return Err(format!("only {} valid recipients found", out.len()).into());
        }
        let area = AREAS[i % AREAS.len()];
        let exchange = 234 + (i / AREAS.len()) % 60;
        let line = (i / (AREAS.len() * 60)) % 10_000;
        i += 1;
        let number = format!("+1{area}{exchange}{line:04}");
        if rules.check(&number).is_ok() {
            out.push(number);
        }
    }
    Ok(out)
}
