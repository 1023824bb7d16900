//! The words of every text and email Gatehouse sends that is not a security notice
//! (those are [`super::notify::Notice`]): one place to read and review them all.

use crate::server::messaging::email::Email;
use crate::server::Settings;

/// The sign-in code's SMS.
pub fn sign_in_code(settings: &Settings, digits: &str) -> String {
    format!(
        "{}: your sign-in code is {digits}. It expires in {} minutes. Don't share it.",
        settings.brand,
        settings.codes.ttl.whole_minutes()
    )
}

/// The SMS that proves a new mobile number.
pub fn confirmation_code(settings: &Settings, digits: &str) -> String {
    format!(
        "{}: your confirmation code is {digits}. Enter it to confirm this number. It expires in {} minutes. Don't share it.",
        settings.brand,
        settings.codes.ttl.whole_minutes()
    )
}

/// The start of every link in a message, without a trailing slash.
pub(crate) fn base_url(settings: &Settings) -> &str {
    settings.link_base.trim_end_matches('/')
}

/// Forgot Username?: the usernames registered to `to`.
pub fn username_reminder(settings: &Settings, to: &str, usernames: &[String]) -> Email {
    let brand = &settings.brand;
    let names: Vec<String> = usernames.iter().map(|u| format!("  {u}")).collect();
    let (one, these) = if usernames.len() == 1 {
        ("username is", "it")
    } else {
        ("usernames are", "any of them")
    };
    let body = format!(
        "Hello,\n\nSomeone (we hope you) asked for the {brand} username registered to this \
         address. Your {one}:\n\n{}\n\nSign in with {these} at {}/login\n\nIf you did not ask, \
         you can ignore this email: nothing has changed.\n\n— {brand}\n",
        names.join("\n"),
        base_url(settings),
    );
    Email {
        to: to.to_owned(),
        subject: format!("{brand}: your username"),
        body,
    }
}

/// Forgot Password?: the reset link for `username`, carrying `token`.
pub fn reset_link(settings: &Settings, to: &str, username: &str, token: &str) -> Email {
    let brand = &settings.brand;
    let minutes = settings.forgot.reset_ttl.whole_minutes();
    Email {
        to: to.to_owned(),
        subject: format!("{brand}: reset your password"),
        body: format!(
            "Hello {username},\n\nSomeone (we hope you) asked to reset the password of your {brand} \
             account. Choose a new one here:\n\n{}/reset-password?token={token}\n\nThe link works \
             once, for {minutes} minutes. Resetting signs out every session. If two-factor \
             authentication is on, you will still need your texted code to sign in.\n\nIf you \
             did not ask, ignore this email: your password has not changed.\n\n— {brand}\n",
            base_url(settings),
        ),
    }
}

/// The link that confirms `to` as the account's new address.
pub fn email_change_link(settings: &Settings, to: &str, username: &str, token: &str) -> Email {
    let brand = &settings.brand;
    Email {
        to: to.to_owned(),
        subject: format!("{brand}: confirm your new email address"),
        body: format!(
            "Hello {username},\n\nSomeone (we hope you) asked to use this address for your \
             {brand} account. Confirm it here:\n\n{}/confirm-email?token={token}\n\nThe \
             link works once, for an hour. Until it is followed, nothing changes.\n\nIf you \
             did not ask, ignore this email.\n\n— {brand}\n",
            base_url(settings),
        ),
    }
}

/// An address as a notice shows it: the first character of the name and the domain.
pub fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((name, domain)) => {
            let first: String = name.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}
