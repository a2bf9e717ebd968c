-- The weather box: the latest observation per town, pushed by an integrator
-- (PUT /weather/{id}) or fetched from a provider. One row per town; a
-- failed fetch keeps the last good observation and notes when it failed.
CREATE TABLE weather (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    temperature_c DOUBLE PRECISION NOT NULL,
    description TEXT NOT NULL,
    icon TEXT NOT NULL DEFAULT '',
    observed_at TIMESTAMP NOT NULL,
    wind_speed_ms DOUBLE PRECISION NOT NULL,
    wind_direction_deg INTEGER,
    pressure_hpa DOUBLE PRECISION NOT NULL,
    humidity_pct INTEGER NOT NULL,
    -- a JSON array of a few forecast steps
    forecast TEXT NOT NULL DEFAULT '[]',
    -- who gave the observation: 'push' (an integrator) or 'provider'
    source TEXT NOT NULL,
    -- the provider's last failure since the last good observation
    failed_at TIMESTAMP,
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX weather_name_idx ON weather (name, id);
