using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.ReadModel;
using Cofi.Actors.Tests.Support;

namespace Cofi.Web.Tests.Support;

/// <summary>
/// A web host on a SQLite or MariaDB test database for the purge and prune specs. It records in small groups with
/// frequent snapshots, so that each ended batch leaves several journal events and snapshot rows to delete, and it tells
/// whether a deleted batch is gone everywhere while a kept one lost nothing.
/// </summary>
public sealed class DeletionHost : IAsyncDisposable
{
    private const string Recording = "cofi.persistence { record-group-size = 2, snapshot-every = 2 }";

    private readonly string _hocon;

    private DeletionHost(TestDatabase database, string hocon, CofiWeb web)
    {
        Database = database;
        _hocon = hocon;
        Web = web;
    }

    public TestDatabase Database { get; }

    public CofiWeb Web { get; private set; }

    /// <param name="kind">a <see cref="TestDatabase.Kinds"/> entry.</param>
    /// <param name="hocon">configuration besides the recording's.</param>
    public static async Task<DeletionHost> StartAsync(string kind, string hocon = "")
    {
        var database = new TestDatabase(kind);
        try
        {
            var config = $"{Recording}\n{hocon}";
            return new DeletionHost(database, config, await CofiWeb.StartAsync(config, database: database.Settings));
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Stops the host and starts another on the same database, its read model caught up.</summary>
    public async Task RestartAsync()
    {
        await Web.DisposeAsync();
        Web = await CofiWeb.StartAsync(_hocon, database: Database.Settings);
        await Web.DrainReadModelAsync();
    }

    /// <summary>Runs a batch of <paramref name="files"/> samples, one of them corrupt, to its end.</summary>
    public async Task<long> RunAsync(string name, int files)
    {
        var batchId = await Web.SubmitAsync(Web.Samples(name, files, corrupt: 1));
        await Web.WaitForEndAsync(batchId);
        return batchId;
    }

    /// <summary>The batch's rows by table.</summary>
    public Dictionary<string, long> Rows(long batchId) => BatchRows.Counts(Database, batchId);

    /// <summary>The rows of a batch that has ended, its read model drained: several journal events and snapshot rows among them.</summary>
    public Dictionary<string, long> EndedRows(long batchId)
    {
        var rows = Rows(batchId);
        rows[JournalTables.Journal].ShouldBeGreaterThan(ReadModelComparison.Stages.Length);
        rows[JournalTables.Snapshot].ShouldBeGreaterThan(0);
        return rows;
    }

    /// <summary>A report's rows by table (<paramref name="reported"/>) are the batch's rows before it was deleted.</summary>
    public static void ShouldReport(JsonElement reported, Dictionary<string, long> before)
    {
        // The batch's status row may already be gone when the purge comes to it: the read model drops it on the purge event.
        foreach (var (table, rows) in before.Where(t => t.Key != ReadModelTables.BatchStatus)) reported.GetProperty(table).GetInt64().ShouldBe(rows, table);
    }

    /// <summary>
    /// Every row of <paramref name="gone"/> is deleted and the API knows it no more, while <paramref name="kept"/> still
    /// has the rows it had (<paramref name="keptRows"/>), its read model agrees with its journal, and the API serves it.
    /// </summary>
    public async Task ShouldHaveDeletedOnlyAsync(long gone, long kept, Dictionary<string, long> keptRows)
    {
        Rows(gone).Values.ShouldAllBe(rows => rows == 0);
        Rows(kept).ShouldBe(keptRows);
        var problems = await ReadModelComparison.DifferencesAsync(new JournalReader(Web.Runtime.System), Database.Settings, kept,
            ReadModelComparison.Stages, ReadModelComparison.Flagged);
        problems.ShouldBeEmpty(string.Join("\n", problems));
        var listed = (await Web.Client.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Select(b => b.BatchId).ToList();
        listed.ShouldContain(kept);
        listed.ShouldNotContain(gone);
        foreach (var path in new[] { "", "/events", "/files", "/results", "/failed" })
            await (await Web.Client.GetAsync($"/api/batches/{gone}{path}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await Web.Client.GetAsync($"/api/batches/{kept}/files")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Waits up to a minute for <paramref name="condition"/> to hold.</summary>
    public static async Task Until(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the condition did not hold within a minute");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Web.DisposeAsync();
        Database.Dispose();
    }
}
