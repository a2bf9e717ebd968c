// The tables as diesel sees them, one definition for both backends: every id
// is a BIGINT (SQLite's INTEGER PRIMARY KEY is 64-bit) and every time a
// TIMESTAMP holding UTC. Kept in step with migrations/ by the test suite,
// which runs every query against freshly migrated databases of both kinds.

diesel::table! {
    sections (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        slug -> Nullable<Text>,
        bio -> Text,
        avatar_url -> Nullable<Text>,
        disabled -> Bool,
        token_epoch -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        email_verified_at -> Nullable<Timestamp>,
        notify_replies -> Bool,
        notify_reviews -> Bool,
        notify_digest -> Bool,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

// ---- articles and authors ----

diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        lead -> Text,
        body -> Text,
        body_html -> Text,
        section_id -> Nullable<BigInt>,
        cover_url -> Nullable<Text>,
        cover_alt -> Nullable<Text>,
        cover_caption -> Nullable<Text>,
        cover_credit -> Nullable<Text>,
        video_url -> Nullable<Text>,
        status -> Text,
        rejection_reason -> Nullable<Text>,
        allow_comments -> Bool,
        comment_count -> Integer,
        created_by -> Nullable<BigInt>,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
    }
}

diesel::table! {
    article_authors (article_id, user_id) {
        article_id -> BigInt,
        user_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    article_slugs (slug) {
        slug -> Text,
        article_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> BigInt,
        article_id -> BigInt,
        version -> Integer,
        snapshot -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> users (user_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(article_slugs -> articles (article_id));
diesel::joinable!(article_revisions -> articles (article_id));

// ---- comments ----

diesel::table! {
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        thread_id -> Nullable<BigInt>,
        in_reply_to_id -> Nullable<BigInt>,
        depth -> Integer,
        author_id -> Nullable<BigInt>,
        guest_name -> Nullable<Text>,
        guest_email -> Nullable<Text>,
        body -> Text,
        body_html -> Text,
        status -> Text,
        held_reason -> Nullable<Text>,
        ever_approved -> Bool,
        flag_count -> Integer,
        ip -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        pending_body -> Nullable<Text>,
        pending_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    comment_flags (id) {
        id -> BigInt,
        comment_id -> BigInt,
        flagger_key -> Text,
        user_id -> Nullable<BigInt>,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    commenter_standing (user_id) {
        user_id -> BigInt,
        approved_count -> Integer,
        banned -> Bool,
        banned_until -> Nullable<Timestamp>,
        ban_reason -> Nullable<Text>,
        banned_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(comment_flags -> comments (comment_id));
diesel::joinable!(commenter_standing -> users (user_id));

// ---- job offers and events ----

// PostgreSQL also has a generated `search` tsvector column on both tables;
// it is left out here (diesel never reads or writes it).
diesel::table! {
    jobs (id) {
        id -> BigInt,
        title -> Text,
        company_name -> Text,
        company_website -> Nullable<Text>,
        company_logo_url -> Nullable<Text>,
        city -> Text,
        city_key -> Text,
        postal_code -> Text,
        remote -> Bool,
        contract_type -> Text,
        working_time -> Text,
        salary_min_cents -> Nullable<BigInt>,
        salary_max_cents -> Nullable<BigInt>,
        salary_currency -> Nullable<Text>,
        salary_period -> Nullable<Text>,
        description -> Text,
        description_html -> Text,
        apply_url -> Nullable<Text>,
        apply_email -> Nullable<Text>,
        status -> Text,
        rejection_reason -> Nullable<Text>,
        submitted_by -> Nullable<BigInt>,
        published_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        image_media_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        description_html -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        all_day -> Bool,
        time_zone -> Text,
        venue_name -> Text,
        venue_address -> Text,
        city -> Text,
        city_key -> Text,
        postal_code -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        is_free -> Bool,
        price_cents -> Nullable<BigInt>,
        price_currency -> Nullable<Text>,
        price_text -> Nullable<Text>,
        organizer -> Text,
        link -> Nullable<Text>,
        image_url -> Nullable<Text>,
        image_alt -> Nullable<Text>,
        image_credit -> Nullable<Text>,
        category -> Text,
        status -> Text,
        rejection_reason -> Nullable<Text>,
        submitted_by -> Nullable<BigInt>,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        image_media_id -> Nullable<BigInt>,
    }
}

// ---- polls ----

diesel::table! {
    polls (id) {
        id -> BigInt,
        question -> Text,
        description -> Text,
        multiple -> Bool,
        max_choices -> Integer,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        who_may_vote -> Text,
        results_visibility -> Text,
        article_id -> Nullable<BigInt>,
        voter_count -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    poll_options (id) {
        id -> BigInt,
        poll_id -> BigInt,
        position -> Integer,
        label -> Text,
        vote_count -> BigInt,
    }
}

diesel::table! {
    poll_votes (id) {
        id -> BigInt,
        poll_id -> BigInt,
        voter_key -> Text,
        choices -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(polls -> articles (article_id));
diesel::joinable!(poll_options -> polls (poll_id));
diesel::joinable!(poll_votes -> polls (poll_id));

diesel::table! {
    rate_limits (bucket, key) {
        bucket -> Text,
        key -> Text,
        tat -> BigInt,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_keys -> users (created_by));

// ---- audit log (issue 15) ----

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        action -> Text,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        #[sql_name = "type"]
        kind -> Text,
        resource_type -> Text,
        resource_id -> BigInt,
        resource_slug -> Nullable<Text>,
        paths -> Text,
        data -> Text,
        occurred_at -> Timestamp,
    }
}

// Timed facts already told in the change log (see `changes::timed`).
diesel::table! {
    announcements (resource_type, resource_id, what, due_at) {
        resource_type -> Text,
        resource_id -> BigInt,
        what -> Text,
        due_at -> Timestamp,
        announced_at -> Timestamp,
    }
}

// ---- webhooks (issue 11) ----

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        description -> Text,
        event_types -> Text,
        enabled -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        disabled_at -> Nullable<Timestamp>,
        failure_streak -> Integer,
        last_seq -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        seq -> Nullable<BigInt>,
        event_type -> Text,
        resource_key -> Text,
        message_id -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_latency_ms -> Nullable<BigInt>,
        last_response -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::table! {
    media (id) {
        id -> BigInt,
        kind -> Text,
        content_type -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        duration_ms -> Nullable<BigInt>,
        animated -> Bool,
        file_name -> Text,
        title -> Text,
        alt -> Text,
        caption -> Text,
        credit -> Text,
        focal_x -> Double,
        focal_y -> Double,
        placeholder -> Nullable<Text>,
        dominant_color -> Nullable<Text>,
        public -> Bool,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    media_variants (id) {
        id -> BigInt,
        media_id -> BigInt,
        version -> Text,
        preset -> Text,
        format -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        width -> Integer,
        height -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_cover_media (article_id) {
        article_id -> BigInt,
        media_id -> BigInt,
    }
}

// Media that content uses besides covers: embeds in bodies, an article's
// video; one row per use, for exactly one of article, event and job offer.
diesel::table! {
    media_uses (id) {
        id -> BigInt,
        media_id -> BigInt,
        article_id -> Nullable<BigInt>,
        event_id -> Nullable<BigInt>,
        job_id -> Nullable<BigInt>,
        role -> Text,
    }
}

diesel::joinable!(media_uses -> media (media_id));
diesel::joinable!(media_variants -> media (media_id));
diesel::joinable!(article_cover_media -> media (media_id));
diesel::joinable!(article_cover_media -> articles (article_id));

// ---- members: links sent by mail, and the mail queue (issue 13) ----

diesel::table! {
    member_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        new_email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(member_tokens -> users (user_id));

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        recipient -> Text,
        kind -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        headers -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claim -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    webhooks,
    webhook_deliveries,
    audit_log,
    changes,
    sections,
    tags,
    users,
    refresh_tokens,
    api_keys,
    articles,
    article_authors,
    article_tags,
    article_slugs,
    article_revisions,
    polls,
    poll_options,
    poll_votes,
    comments,
    comment_flags,
    commenter_standing,
    announcements,
    media,
    media_variants,
    article_cover_media,
    media_uses,
    jobs,
    events,
    member_tokens,
    mail_outbox,
);

// ---- the weather box (issue 12) ----

diesel::table! {
    weather (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        temperature_c -> Double,
        description -> Text,
        icon -> Text,
        observed_at -> Timestamp,
        wind_speed_ms -> Double,
        wind_direction_deg -> Nullable<Integer>,
        pressure_hpa -> Double,
        humidity_pct -> Integer,
        forecast -> Text,
        source -> Text,
        failed_at -> Nullable<Timestamp>,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// ---- the moderation digest (issue 13) ----

diesel::table! {
    digest_marks (name) {
        name -> Text,
        last_at -> Timestamp,
    }
}
