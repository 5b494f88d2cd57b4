const mysql = require('mysql2');

const pool = mysql.createPool({
  host: 'catalog-db.c9akciq32.us-east-1.rds.amazonaws.com',
  user: 'catalog',
  password: 'PLANTED-s3cret',
  database: 'catalog',
  ssl: 'Amazon RDS',
});
