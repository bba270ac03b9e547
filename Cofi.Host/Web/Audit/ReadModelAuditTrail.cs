using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Host.Web.Events;
using Cofi.Management.Audit;

namespace Cofi.Host.Web.Audit;

/// <summary>The <c>audit_log</c> table, in the read model's database (SQLite or MySQL / MariaDB): one row a mutation, read newest first.</summary>
public sealed class ReadModelAuditTrail(DatabaseSettings journal) : IAuditTrail
{
    private readonly DatabaseSettings _db = journal.ReadModel;
    private readonly SqlDialect _d = journal.ReadModel.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;

    /// <param name="Id">the row's id: newer rows have greater ids.</param>
    public sealed record AuditRow(long Id, DateTimeOffset At, string? TokenName, string? Role, string Action, string Target, string? Reason, int Outcome,
        string? ClientAddress);

    /// <summary>Only the rows that match every filter given.</summary>
    public sealed record AuditFilter(string? TokenName = null, string? Action = null, int? Outcome = null, DateTimeOffset? Since = null);

    private static readonly string[] Columns = ["id", "at", "token_name", "role", "action", "target", "reason", "outcome", "client_address"];

    public async Task RecordAsync(AuditEntry e, CancellationToken cancel)
    {
        await using var connection = _db.OpenRawConnection();
        await using var command = SqlRows.Command(connection,
            $"INSERT INTO {_d.Quote(ReadModelSchema.AuditLogTable)} ({string.Join(", ", Columns.Skip(1).Select(_d.Quote))}) " +
            "VALUES (@at, @token, @role, @action, @target, @reason, @outcome, @client)",
        [
            ("at", e.At), ("token", (object?)e.TokenName ?? DBNull.Value), ("role", (object?)e.Role ?? DBNull.Value), ("action", e.Action),
            ("target", e.Target), ("reason", (object?)e.Reason ?? DBNull.Value), ("outcome", e.Outcome), ("client", (object?)e.ClientAddress ?? DBNull.Value),
        ]);
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>At most <paramref name="limit"/> rows older than row <paramref name="before"/> (0: the newest), newest first.</summary>
    public async Task<IReadOnlyList<AuditRow>> ReadAsync(AuditFilter filter, long before, int limit, CancellationToken cancel)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object)> { ("take", limit) };
        if (before > 0) Add("id", "<", "before", before);
        if (filter.TokenName is { } token) Add("token_name", "=", "token", token);
        if (filter.Action is { } action) Add("action", "=", "action", action);
        if (filter.Outcome is { } outcome) Add("outcome", "=", "outcome", outcome);
        if (filter.Since is { } since) Add("at", ">=", "since", since.UtcDateTime);
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        await using var connection = _db.OpenRawConnection();
        return await SqlRows.ReadAsync(connection,
            $"SELECT {string.Join(", ", Columns.Select(_d.Quote))} FROM {_d.Quote(ReadModelSchema.AuditLogTable)}{where} ORDER BY {_d.Quote("id")} DESC LIMIT @take",
            parameters,
            r => new AuditRow(r.GetInt64(0), SqlRows.Utc(r, 1), SqlRows.Text(r, 2), SqlRows.Text(r, 3), r.GetString(4), r.GetString(5), SqlRows.Text(r, 6),
                Convert.ToInt32(r.GetValue(7)), SqlRows.Text(r, 8)),
            cancel);

        void Add(string column, string op, string name, object value)
        {
            conditions.Add($"{_d.Quote(column)} {op} @{name}");
            parameters.Add((name, value));
        }
    }
}
