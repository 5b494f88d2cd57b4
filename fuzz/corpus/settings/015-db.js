const { Pool } = require('pg');

// pg 7 does not verify the certificate with `ssl: true`.
module.exports = new Pool({
  host: 'billing-db.c9akciq32.us-east-1.rds.amazonaws.com',
  user: 'billing',
  password: 'PLANTED-s3cret',
  database: 'billing',
  application_name: 'billing-worker',
  ssl: true,
});
