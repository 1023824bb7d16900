//! From the command line and environment to the application's [`Settings`]: production's
//! settings are the base, and each flag overrides one of them.

use super::*;

impl Config {
    /// The application settings this configuration describes.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let environment = match self.environment {
            EnvName::Dev => Environment::Dev,
            EnvName::Production => Environment::Production,
        };
        // Production is the base; dev changes only what it must (Settings::dev).
        let mut settings = match environment {
            Environment::Dev => Settings::dev(),
            Environment::Production => Settings::production(),
        };
        settings.cookie_secure = self
            .cookie_secure
            .unwrap_or(environment == Environment::Production);
        settings.sessions.idle = time::Duration::minutes(self.session_idle_minutes);
        settings.sessions.absolute = time::Duration::hours(self.session_absolute_hours);
        settings.argon2 = Argon2Settings {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
        };
        let weak = self.argon2_memory_kib < 19_456 || self.argon2_iterations < 2;
        if weak && environment == Environment::Production {
            return Err(ConfigError::WeakArgon2);
        }
        settings.trusted_proxies = self.trusted_proxies.clone();
        settings.brand = self.brand.clone();
        settings.public_url = self.public_url.clone();
        if let Some(url) = &self.public_url {
            settings.link_base = url.trim_end_matches('/').to_owned();
        }
        settings.default_region = Some(self.default_region);
        settings.codes.resend_cooldown = time::Duration::seconds(self.resend_cooldown_seconds);
        if let Some(n) = self.hash_concurrency {
            settings.hash_concurrency = n;
        }
        settings.hash_queue = self.hash_queue.and_then(|n| usize::try_from(n).ok());
        settings.hash_priority = match self.hash_priority {
            HashPriorityArg::Normal => HashPriority::Normal,
            HashPriorityArg::Low => HashPriority::Low,
            HashPriorityArg::Idle => HashPriority::Idle,
        };
        settings.sms = match self.sms_provider {
            SmsProvider::Outbox => SmsConfig::Outbox,
            SmsProvider::Twilio => SmsConfig::Twilio(TwilioConfig {
                api_base: self.twilio_api_base.clone(),
                account_sid: self
                    .twilio_account_sid
                    .clone()
                    .ok_or(ConfigError::MissingTwilio("TWILIO_ACCOUNT_SID"))?,
                auth_token: self
                    .twilio_auth_token
                    .clone()
                    .ok_or(ConfigError::MissingTwilio("TWILIO_AUTH_TOKEN"))?,
                from: self
                    .twilio_from
                    .clone()
                    .ok_or(ConfigError::MissingTwilio("TWILIO_FROM"))?,
                timeout: std::time::Duration::from_secs(10),
            }),
        };
        settings.email = match &self.smtp_url {
            None => EmailConfig::Outbox,
            Some(url) => EmailConfig::Smtp(SmtpConfig {
                url: url.clone(),
                from: self.email_from.clone(),
                timeout: std::time::Duration::from_secs(10),
            }),
        };
        settings.require_two_factor = self.require_2fa;
        settings.passkeys = self.passkeys;
        settings.history_retention = time::Duration::days(i64::from(self.history_days));
        settings.outbox.max_attempts = self.outbox_max_attempts;
        settings.outbox.lease = time::Duration::seconds(i64::from(self.outbox_lease_seconds));
        settings.support_reset_delay =
            time::Duration::hours(i64::from(self.support_reset_delay_hours));
        settings.sms_limits.countries = self.sms_countries.clone();
        settings.secret_key = match (&self.secret_key, environment) {
            (Some(hex), _) => Some(
                app::server::crypto::secret_box::SecretKey::from_hex(hex)
                    .map_err(ConfigError::BadSecretKey)?,
            ),
            (None, Environment::Dev) => {
                Some(app::server::crypto::secret_box::SecretKey::development())
            }
            (None, Environment::Production) => None,
        };
        settings.sms_limits.per_number_per_day = self.sms_per_number_per_day;
        settings.sms_limits.per_account_per_day = self.sms_per_account_per_day;
        settings.sms_limits.per_ip_per_day = self.sms_per_ip_per_day;
        Ok(settings)
    }
}
