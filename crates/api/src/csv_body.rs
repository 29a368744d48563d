//! CSV downloads: records rendered into byte chunks for a streamed response body.

use actix_web::web::Bytes;
use opsdeck_domain::{DomainError, exports::csv::neutralize};

use crate::problem::ApiError;

/// One chunk of CSV holding `records`.
pub fn rows<R, C>(records: R) -> Result<Bytes, ApiError>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let internal = |error: &dyn std::fmt::Display| ApiError::Domain(DomainError::Internal(error.to_string()));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(record.into_iter().map(neutralize)).map_err(|e| internal(&e))?;
    }
    writer.into_inner().map(Bytes::from).map_err(|e| internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() -> Result<(), ApiError> {
        let chunk = rows([vec!["a,b".to_owned(), "=HYPERLINK(\"x\")".to_owned(), "{\"k\":1}".to_owned()]])?;
        assert_eq!(chunk, Bytes::from("\"a,b\",\"'=HYPERLINK(\"\"x\"\")\",\"{\"\"k\"\":1}\"\n"));
        Ok(())
    }
}
