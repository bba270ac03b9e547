using LinqToDB.Data;

namespace Cofi.Actors.Persistence;

/// <summary>
/// The Akka.Persistence.Sql journal, tag and snapshot tables on MySQL / MariaDB, created here because the plugin's
/// own auto-initialize creates <c>message</c> as VARBINARY(255) on MariaDB (and needs a MySQL-8-only catalog table
/// otherwise). Same columns as the plugin's default table mapping: LONGBLOB payloads, unique (persistence_id,
/// sequence_number). Idempotent.
/// </summary>
public static class MySqlJournalSchema
{
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS journal (
          ordering        BIGINT       NOT NULL AUTO_INCREMENT,
          created         BIGINT       NOT NULL,
          deleted         TINYINT(1)   NOT NULL,
          persistence_id  VARCHAR(255) NOT NULL,
          sequence_number BIGINT       NOT NULL,
          message         LONGBLOB     NOT NULL,
          manifest        VARCHAR(500) NULL,
          identifier      INT          NULL,
          writer_uuid     VARCHAR(128) NULL,
          PRIMARY KEY (ordering),
          UNIQUE KEY journal_pid_seq_uq (persistence_id, sequence_number),
          KEY journal_created_idx (created),
          KEY journal_sequence_number_idx (sequence_number)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
        CREATE TABLE IF NOT EXISTS tags (
          ordering_id    BIGINT       NOT NULL,
          tag            VARCHAR(64)  NOT NULL,
          sequence_nr    BIGINT       NOT NULL,
          persistence_id VARCHAR(255) NOT NULL,
          PRIMARY KEY (ordering_id, tag),
          KEY tags_persistence_id_sequence_nr_idx (persistence_id, sequence_nr),
          KEY tags_tag_idx (tag)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
        CREATE TABLE IF NOT EXISTS snapshot (
          persistence_id  VARCHAR(255) NOT NULL,
          sequence_number BIGINT       NOT NULL,
          created         BIGINT       NOT NULL,
          snapshot        LONGBLOB     NULL,
          manifest        VARCHAR(500) NULL,
          serializer_id   INT          NULL,
          PRIMARY KEY (persistence_id, sequence_number)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
        """;

    public static void Create(DatabaseSettings db)
    {
        if (!db.IsMySql) return;
        using var connection = db.Connect();
        foreach (var statement in Tables.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            connection.Execute(statement);
    }
}
