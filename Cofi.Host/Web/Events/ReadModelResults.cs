using System.Runtime.CompilerServices;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Host.Web.Events;

/// <summary>A <c>file_results</c> row: a file's final outcome (<see cref="Result"/> as the metadata stage stored it, JSON text).</summary>
public sealed record FileResult(long BatchId, int FileId, string FileName, string Status, string? Reason, string? Result, DateTimeOffset CompletedAt);

/// <summary>
/// A batch's final results, read from <c>file_results</c> a page at a time (by file id), so an export of 100,000
/// files never holds more than one page in memory and no query holds the table for long.
/// </summary>
public sealed class ReadModelResults(DatabaseSettings journal)
{
    public const int PageSize = 1_000;

    private readonly DatabaseSettings _db = journal.ReadModel;
    private readonly SqlDialect _d = journal.ReadModel.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;

    public async IAsyncEnumerable<FileResult> ResultsAsync(long batchId, [EnumeratorCancellation] CancellationToken cancel)
    {
        string Q(string identifier) => _d.Quote(identifier);
        var after = -1;
        while (true)
        {
            List<FileResult> page;
            await using (var connection = _db.OpenRawConnection())
            {
                page = await SqlRows.ReadAsync(connection,
                    $"SELECT {Q("file_id")}, {Q("file_name")}, {Q("status")}, {Q("reason")}, {Q("result")}, {Q("completed_at")} FROM {Q(ReadModelTables.FileResults)} " +
                    $"WHERE {Q("batch_id")} = @batch AND {Q("file_id")} > @after ORDER BY {Q("file_id")} LIMIT @take",
                    [("batch", batchId), ("after", after), ("take", PageSize)],
                    r => new FileResult(batchId, Convert.ToInt32(r.GetValue(0)), r.GetString(1), r.GetString(2), SqlRows.Text(r, 3), SqlRows.Text(r, 4), SqlRows.Utc(r, 5)),
                    cancel);
            }
            foreach (var row in page) yield return row;
            if (page.Count < PageSize) yield break;
            after = page[^1].FileId;
        }
    }
}
