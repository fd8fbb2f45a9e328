"""Runtime settings with embedded defaults, so ``make run`` needs no configuration.

Every setting can be overridden with an environment variable prefixed ``KC_``
(e.g. ``KC_DATABASE_URL=postgresql+psycopg://...`` for the production profile).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KC_")

    root: Path = ROOT
    var_dir: Path = ROOT / "var"
    data_dir: Path = ROOT / "data"
    database_url: str = ""
    embedding_model: str = ""
    embedding_batch_size: int = 32
    rasa_url: str = "http://localhost:5005"
    public_rasa_url: str = ""
    api_port: int = 8000
    # Where other platforms reach this API (links and course URLs of the MOOChub export); empty means
    # http://localhost:<api_port>, the address of `make run`.
    public_api_url: str = Field(default="", pattern=r"^$|^https?://[^\s/?#]+(/[^\s?#]*)?$")
    action_port: int = 5055
    rasa_port: int = 5005
    # Recommendation: how many modules the first plan shows, and the blend that
    # turns semantic similarity and competency-gap coverage into a percentage.
    plan_size: int = 15
    weight_gap: float = 0.6
    weight_semantic: float = 0.4
    # Plan engine: up to `plan_max_paths` learning paths of up to `plan_max_learning_units` units each
    # (Module.learning_units; five per Lernpfad is the KommunalCampus rule) and `plan_size` modules in all,
    # within hours_per_month x horizon, so the learner's hours fill the year; career-goal targets and
    # interests count less than the current role; a self-assessed level is trusted a little less than evidence.
    # Beyond the first path, an item must close one of the learner's gaps (plan_engine/select.py).
    plan_max_learning_units: int = Field(default=5, ge=1)
    plan_max_paths: int = Field(default=3, ge=1, le=12)
    plan_horizon_months: int = Field(default=12, ge=1, le=36)
    plan_default_hours_per_month: float = Field(default=8.0, gt=0)
    plan_min_score: float = Field(default=0.15, ge=0, le=1)
    plan_career_weight: float = Field(default=0.5, ge=0, le=1)
    plan_interest_weight: float = Field(default=0.5, ge=0, le=1)
    plan_self_assessment_confidence: float = Field(default=0.9, gt=0, le=1)
    plan_unassessed_confidence: float = Field(default=0.5, gt=0, le=1)  # see plan_engine.gaps
    plan_format_penalty: float = Field(default=0.1, ge=0, le=1)
    plan_preferred_boost: float = Field(default=0.5, ge=0)
    plan_category_order: list[str] = ["Basismodul", "Intensivmodul", "Bonusmodul"]
    plan_notify_triggers: list[str] = ["module_approved", "module_withdrawn", "profile_changed"]
    max_message_chars: int = Field(default=2000, ge=100)
    # Hybrid search: linear blend of z-normalised signals (or weighted RRF); the dense signal takes
    # `search_query_centring` of the framework's mean query out of each query (embeddings/search.py).
    # Measured with bench/matching_quality.py on the sample and the real catalogue.
    search_fusion: Literal["linear", "rrf"] = "linear"
    search_weight_dense: float = 1.0
    search_weight_lexical: float = 0.2
    search_weight_competency: float = 0.25
    search_rrf_k: float = 60.0
    search_query_centring: float = Field(default=0.5, ge=0, le=1)
    # Telegram bridge (bot/telegram_bridge.py): runs only when a bot token is set. Polling needs no public
    # address; in webhook mode Telegram posts to `telegram_webhook_url`, which a reverse proxy forwards to
    # the bridge's own port (`telegram_port`, which also serves /health). `telegram_base_url` points PTB at
    # another Bot API server (the tests' stand-in). Rate limits follow Telegram's guidance: about 30
    # messages/s overall and 1/s per chat (short bursts allowed).
    telegram_token: str = ""
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_port: int = 5090
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_poll_timeout: float = Field(default=10.0, ge=0)
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_chat_rate_per_second: float = Field(default=1.0, gt=0)
    telegram_chat_burst: int = Field(default=3, ge=1)
    telegram_send_retries: int = Field(default=4, ge=0)
    telegram_backoff_seconds: float = Field(default=1.0, ge=0)
    telegram_backoff_max_seconds: float = Field(default=60.0, ge=0)
    telegram_outbox_interval: float = Field(default=5.0, gt=0)
    telegram_outbox_batch: int = Field(default=50, ge=1)
    telegram_outbox_max_attempts: int = Field(default=10, ge=1)
    # HR campaigns: invitation links point at the widget page (`?kc_invite=<token>`) or at the Telegram bot
    # (`https://t.me/<bot>?start=<token>`; empty username: no Telegram invitations). A link expires at the
    # campaign's deadline; reminders go out `campaign_reminder_lead_hours` before it. Results never show a
    # group smaller than `campaign_min_group_size` (k-anonymity; the bound keeps a setting from weakening it).
    invitation_widget_url: str = "http://localhost:8000"
    telegram_bot_username: str = Field(default="", pattern=r"^$|^[A-Za-z][A-Za-z0-9_]{3,31}$")
    campaign_reminder_lead_hours: float = Field(default=72.0, ge=0)
    campaign_max_invitees: int = Field(default=2000, ge=1)
    campaign_max_days: int = Field(default=366, ge=1)
    campaign_min_group_size: int = Field(default=5, ge=5)
    campaign_jobs_interval_seconds: float = Field(default=300.0, gt=0)
    campaign_timezone: str = "Europe/Berlin"

    # Background work in the API process: replanning after catalogue changes, campaign reminders.
    background_jobs: bool = True
    jobs_interval_seconds: float = Field(default=300, ge=5)

    # Provider feeds (campus.catalogue.feeds): one fetch has a total deadline (DNS, connect and every read
    # together) and a streamed size cap; a pull follows `links.next` for at most `feed_max_pages` pages and
    # stores its courses in batches of `feed_batch_size` (the JSONL bulk upload too). The encoder packs a batch's
    # passages by length, so larger batches encode faster: 512 reached the encoder's speed on all passages at
    # once, 128 lost about a fifth of it (bench/index_scale.py); memory stays bounded because the token
    # embeddings the tagger reads are produced and dropped in chunks (embeddings.ingest). A run that never
    # finished (its process died) stops blocking the next one after `feed_run_stale_minutes`. New feeds are
    # pulled every `feed_interval_hours`.
    feed_fetch_deadline_seconds: float = Field(default=30.0, gt=0, le=600)
    feed_fetch_max_bytes: int = Field(default=20_000_000, ge=1_000)
    feed_max_pages: int = Field(default=500, ge=1)
    feed_batch_size: int = Field(default=512, ge=1, le=2_000)
    feed_run_stale_minutes: float = Field(default=60.0, gt=0)
    feed_interval_hours: float = Field(default=24.0, ge=1)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'campus.db'}"

    @property
    def embedding_model_path(self) -> Path:
        return Path(self.embedding_model) if self.embedding_model else self.var_dir / "models" / "multilingual-e5-small"

    @property
    def seed_dir(self) -> Path:
        return self.data_dir / "seed"


@lru_cache
def get_settings() -> Settings:
    return Settings()
