package main

import (
	"database/sql"

	_ "github.com/lib/pq"
)

func open() (*sql.DB, error) {
	return sql.Open("postgres", "host=events-db.c9akciq32.us-east-1.rds.amazonaws.com user=events password=PLANTED-s3cret dbname=events sslmode=verify-full sslrootcert=/etc/ssl/rds.pem")
}
