package main

import (
	"database/sql"

	_ "github.com/go-sql-driver/mysql"
)

func open() (*sql.DB, error) {
	return sql.Open("mysql", "inventory:PLANTED-s3cret@tcp(inventory-db.c9akciq32.us-east-1.rds.amazonaws.com:3306)/inventory?tls=skip-verify")
}
