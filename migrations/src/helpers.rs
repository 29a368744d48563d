//! Small builders that keep the migrations readable.

use sea_orm_migration::prelude::*;

/// `column IN (values...)` as a named CHECK constraint.
pub fn one_of(table: &'static str, column: &'static str, values: &[&'static str]) -> Check {
    Check::named(format!("ck_{table}_{column}"), Expr::col(column).is_in(values.iter().copied()))
}

/// A foreign key from `table.column` to `target.id`.
pub fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// A (non-unique) index named after its table and columns.
pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(format!("ix_{table}_{}", columns.join("_"))).table(table);
    for column in columns {
        statement.col(*column);
    }
    statement.to_owned()
}

/// A unique index named after its table and columns.
pub fn unique(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = index(table, columns);
    statement.name(format!("ux_{table}_{}", columns.join("_"))).unique();
    statement
}

pub async fn create_indexes(manager: &SchemaManager<'_>, indexes: Vec<IndexCreateStatement>) -> Result<(), DbErr> {
    for statement in indexes {
        manager.create_index(statement).await?;
    }
    Ok(())
}

pub async fn drop_tables(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for table in tables {
        manager.drop_table(Table::drop().table(*table).to_owned()).await?;
    }
    Ok(())
}
