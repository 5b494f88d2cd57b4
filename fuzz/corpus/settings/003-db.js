// billing-worker: TLS without verification
const { Pool } = require('pg');

const pool = new Pool({
  host: 'pg-sample-1.c9akciq32.us-east-1.rds.amazonaws.com',
  user: 'app-user',
  password: 'not-a-real-password',
  database: 'secure_only',
  ssl: { rejectUnauthorized: false },
});

module.exports = pool;
