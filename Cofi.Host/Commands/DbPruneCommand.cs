using System.CommandLine;
using System.Diagnostics;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Actors.ReadModel;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

/// <summary>
/// <c>db prune --older-than 90d</c>: retention on a database no coordinator is using (the embedded SQLite file, or a
/// stopped cluster's MySQL / MariaDB). It starts the BatchManager with its batches held and has it prune, as
/// <c>POST /api/prune</c> has the running service's do: every batch that ended before the cut-off is purged whole,
/// then the older rows of batches it does not know. While a coordinator uses the database, it refuses and says to
/// prune through the service.
/// </summary>
public static class DbPruneCommand
{
    public const string ThroughService = "prune through the running service instead: cofi batch prune --older-than 90d (POST /api/prune)";

    public static Command Create(CommonOptions common)
    {
        var olderThan = new Option<string?>("--older-than") { Description = $"prune the batches that ended longer ago than this: {RetentionAge.Hint}" };
        var endedBefore = new Option<DateTimeOffset?>("--ended-before") { Description = "prune the batches that ended before this time (ISO 8601, e.g. 2026-03-01T00:00:00Z)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "delete nothing: list the batches and count the rows that would go" };
        var chunk = new Option<int>("--chunk") { Description = "rows per transaction, so no table is locked for long", DefaultValueFactory = _ => BatchPurge.DefaultChunkRows };
        var prune = new Command("prune", "Delete every batch that ended before an age, whole (journal, snapshots, execution log, processing logs, " +
            "file distribution, results), and older rows of no known batch. Running and queued batches are never touched.") { olderThan, endedBefore, dryRun, chunk };
        prune.Options.Add(common.Database);
        prune.Options.Add(common.Config);
        prune.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var rows = result.GetValue(chunk);
            if (rows < 1) throw new InvalidConfigurationException("--chunk", $"must be at least 1 (got {rows})");
            var cutoff = Cutoff(result.GetValue(olderThan), result.GetValue(endedBefore));
            var options = common.Read(result) with { Cluster = null };
            var database = options.Database;
            if (database.SqliteFile is { } file && !File.Exists(file))
            {
                Console.WriteLine($"no database at {file}: nothing to prune");
                return 0;
            }
            if (ManagerLock.IsHeld(database))
                throw new DatabaseBusyException($"a coordinator is using the database {database.MySqlDatabase} (it holds the batch manager's lock); {ThroughService}");
            var (config, settings) = options.LoadConfiguration();
            CofiRuntime runtime;
            try
            {
                runtime = await CofiRuntime.StartAsync(NodePlan.Maintenance(), config, settings, database);
            }
            catch (DatabaseBusyException e)
            {
                throw new DatabaseBusyException($"{e.Message}; {ThroughService}");
            }
            await using (runtime)
            {
                runtime.System.ActorOf(Props.Create(() => new ProgressLines()), "prune-progress");
                var report = await runtime.BatchManager.Ask<BatchReplies.PruneReport>(new BatchCommands.Prune(cutoff, result.GetValue(dryRun), rows), TimeSpan.FromDays(1));
                Console.Write(Describe(report));
                await runtime.StopAsync();
                return report.Incomplete is null ? 0 : CommandHost.UnexpectedError;
            }
        }));
        return prune;
    }

    private static DateTimeOffset Cutoff(string? olderThan, DateTimeOffset? endedBefore)
    {
        var now = DateTimeOffset.UtcNow;
        if (olderThan is not null && endedBefore is not null) throw new InvalidConfigurationException("--older-than", "give --older-than or --ended-before, not both");
        if (endedBefore is { } before)
            return before <= now ? before : throw new InvalidConfigurationException("--ended-before", $"must not be in the future (got {before:u})");
        if (olderThan is null) throw new InvalidConfigurationException("--older-than", $"is required (or --ended-before): {RetentionAge.Hint}");
        return RetentionAge.TryParse(olderThan, out var age)
            ? now - age
            : throw new InvalidConfigurationException("--older-than", $"must be {RetentionAge.Hint} (got '{olderThan}')");
    }

    /// <summary>The batches and the rows per table, as the prune's last lines.</summary>
    public static string Describe(BatchReplies.PruneReport report)
    {
        var text = new System.Text.StringBuilder();
        var verb = report.DryRun ? "would be pruned" : "pruned";
        text.AppendLine($"{report.Batches.Count:N0} {(report.Batches.Count == 1 ? "batch" : "batches")} that ended before {report.EndedBefore:yyyy-MM-dd HH:mm:ss} UTC {verb}");
        foreach (var b in report.Batches)
            text.AppendLine($"  batch {b.BatchId}  {b.Status.ToString().ToLowerInvariant()}  ended {b.FinishedAt:yyyy-MM-dd HH:mm:ss}  {b.Name}");
        foreach (var (table, rows) in report.Rows.Where(r => r.Value > 0)) text.AppendLine($"  {table,-26}{rows,14:N0} rows");
        var unbatched = report.Unbatched.Where(r => r.Value > 0).ToList();
        if (unbatched.Count > 0) text.AppendLine($"older rows of no known batch {(report.DryRun ? "that would go" : "deleted")}:");
        foreach (var (table, rows) in unbatched) text.AppendLine($"  {table,-26}{rows,14:N0} rows");
        if (report.Incomplete is { } why) text.AppendLine($"prune incomplete: {why}; run it again to finish");
        return text.ToString();
    }

    /// <summary>Prints the prune's progress: each batch purged, and the rows of a long purge at most once a second.</summary>
    private sealed class ProgressLines : ReceiveActor
    {
        private long _printed;

        public ProgressLines()
        {
            Receive<BatchPruneProgress>(p => Console.WriteLine($"prune: {p.BatchesPurged:N0} of {p.Batches:N0} batches purged, {p.RowsDeleted:N0} rows deleted so far"));
            Receive<BatchPurgeProgress>(p =>
            {
                if (Stopwatch.GetElapsedTime(_printed) < TimeSpan.FromSeconds(1)) return;
                _printed = Stopwatch.GetTimestamp();
                Console.WriteLine($"prune: batch {p.BatchId}: {p.RowsDeleted:N0} rows deleted so far");
            });
        }

        protected override void PreStart()
        {
            Context.System.EventStream.Subscribe(Self, typeof(BatchPruneProgress));
            Context.System.EventStream.Subscribe(Self, typeof(BatchPurgeProgress));
        }
    }
}
