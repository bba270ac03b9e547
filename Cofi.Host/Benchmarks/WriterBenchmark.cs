using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Actors.Inputs;
using Cofi.Actors.Logging;
using Cofi.Actors.Metrics;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Host.Runtime;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// The read model's writer on the embedded default: a demo batch on SQLite with zero-latency simulated GPUs (the
/// writer shares the cores with the pipeline); then the writer alone, rebuilding the batch's read model from a copy of
/// its journal into an empty database; then, on the same disk and in the same process, the raw rate of the table the
/// writer fills most: the batch's own batchExecutionLog rows inserted by one prepared single-row INSERT, in one
/// transaction, into the same table (its indexes included) of a fresh read-model database.
/// </summary>
public static class WriterBenchmark
{
    public sealed record Figures(int Files, int Corrupt, long FileStages, TimeSpan BatchElapsed, TimeSpan Elapsed, EventWriterStats Writer,
        long PeakRssBytes, EventWriterStats Rebuild, TimeSpan RebuildElapsed, TimeSpan RebuildCpu, RawRate RawSingleRow, RawRate RawMultiRow)
    {
        public double FileStagesPerSecond => FileStages / BatchElapsed.TotalSeconds;

        /// <summary>The faster of the two raw forms: what SQLite does on this table and disk.</summary>
        public RawRate Raw => RawMultiRow.RowsPerSecond >= RawSingleRow.RowsPerSecond ? RawMultiRow : RawSingleRow;

        public double RawRowsPerCpuSecond => Math.Max(RawMultiRow.RowsPerCpuSecond, RawSingleRow.RowsPerCpuSecond);
    }

    /// <summary>
    /// Rows inserted in <see cref="Took"/>, and the CPU time of the inserting thread meanwhile: on a machine shared with
    /// other work, rows per CPU second vary less than rows per second.
    /// </summary>
    public sealed record RawRate(long Rows, int RowsPerStatement, TimeSpan Took, TimeSpan Cpu)
    {
        public double RowsPerSecond => Rows / Took.TotalSeconds;

        public double RowsPerCpuSecond => Rows / Cpu.TotalSeconds;
    }

    public static async Task<Figures> RunAsync(Config config, CofiSettings settings, int files, string workDir)
    {
        var input = Path.Combine(workDir, "input");
        var corrupt = Math.Min(files, Math.Max(3, files / 200));
        SampleBatch.Generate(input, files, corrupt);
        var db = DatabaseSettings.Sqlite(Path.Combine(workDir, "cofi.db"));

        long fileStages;
        TimeSpan batchElapsed, elapsed;
        EventWriterStats writer;
        await using (var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: false), config, settings, db))
        {
            var clock = Stopwatch.StartNew();
            var accepted = await runtime.BatchManager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, ResumeUnfinished: false), TimeSpan.FromMinutes(1));
            var finished = await runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(accepted.BatchId), TimeSpan.FromHours(2));
            batchElapsed = clock.Elapsed;
            writer = await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromMinutes(10));
            elapsed = clock.Elapsed;
            fileStages = finished.Stages.Sum(s => s.Settled);
        }
        var peak = PeakMemory.Bytes();
        var (rebuild, rebuildElapsed, rebuildCpu) = await RebuildAsync(config, settings, db, workDir);
        var rows = LogRows(db);
        var single = RawInsert(workDir, "raw-single", settings.Pipeline, rows, 1);
        var multi = RawInsert(workDir, "raw-multi", settings.Pipeline, rows, EventWriterSettings.FromConfig(config).FlushRows);
        return new Figures(files, corrupt, fileStages, batchElapsed, elapsed, writer, peak, rebuild, rebuildElapsed, rebuildCpu, single, multi);
    }

    /// <summary>
    /// Starts the runtime again on a copy of the journal and an empty read model: its EventWriter reads every actor
    /// back from the journal and writes the whole read model, with no batch running beside it.
    /// </summary>
    private static async Task<(EventWriterStats Stats, TimeSpan Elapsed, TimeSpan Cpu)> RebuildAsync(Config config, CofiSettings settings, DatabaseSettings db, string workDir)
    {
        SqliteConnection.ClearAllPools();
        var copy = Path.Combine(workDir, "rebuild.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(db.SqliteFile + suffix)) File.Copy(db.SqliteFile + suffix, copy + suffix);
        // Every actor's journal is read back at once and projected before it is written: no batch runs to pause.
        var rebuild = ConfigurationFactory.ParseString("cofi.event-writer.high-water-mark = 1000000000").WithFallback(config);
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await using var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: false), rebuild, settings, DatabaseSettings.Sqlite(copy));
        var stats = await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromMinutes(30));
        return (stats, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    public static void Print(Figures f)
    {
        var w = f.Writer;
        Console.WriteLine($"files: {f.Files:N0} ({f.Corrupt:N0} corrupt) x 9 stages, zero-latency simulated GPUs, embedded SQLite");
        Console.WriteLine($"elapsed: {f.BatchElapsed.TotalSeconds:0.00} s from submission to the last stage record; the read model held the whole batch at {f.Elapsed.TotalSeconds:0.00} s");
        Console.WriteLine($"file-stages per second: {f.FileStagesPerSecond:N0} ({f.FileStages:N0} file-stages)");
        Console.WriteLine($"peak RSS: {f.PeakRssBytes / (1024.0 * 1024.0):N0} MiB");
        Console.WriteLine($"EventWriter: {w.Rows:N0} read-model rows ({w.LogRows:N0} of them batchExecutionLog) in {w.Flushes:N0} flushes; "
            + $"its transactions took {w.WriteTime.TotalSeconds:0.00} s together: {w.RowsPerWriteSecond:N0} rows per second while writing, {w.RowsPerWriteCpuSecond:N0} per CPU second");
        var r = f.Rebuild;
        Console.WriteLine($"EventWriter alone (the read model rebuilt from the journal, no batch running): {r.Rows:N0} rows in {r.Flushes:N0} flushes, "
            + $"{f.RebuildElapsed.TotalSeconds:0.00} s from start to drained; its transactions took {r.WriteTime.TotalSeconds:0.00} s: {r.RowsPerWriteSecond:N0} rows per second while writing, {r.RowsPerWriteCpuSecond:N0} per CPU second; "
            + $"the process used {f.RebuildCpu.TotalSeconds:0.00} CPU seconds reading the journal, projecting and writing: {r.Rows / f.RebuildCpu.TotalSeconds:N0} rows per CPU second");
        Console.WriteLine($"raw insert rate, same table, disk and run ({f.RawSingleRow.Rows:N0} batchExecutionLog rows of this batch into an empty table, one transaction): "
            + $"{f.RawSingleRow.RowsPerSecond:N0} rows per second with one prepared single-row INSERT ({f.RawSingleRow.RowsPerCpuSecond:N0} per CPU second), "
            + $"{f.RawMultiRow.RowsPerSecond:N0} with {f.RawMultiRow.RowsPerStatement:N0}-row INSERTs ({f.RawMultiRow.RowsPerCpuSecond:N0} per CPU second)");
        Console.WriteLine($"EventWriter against the faster raw rate: {r.RowsPerWriteSecond / f.Raw.RowsPerSecond:P0} alone, {w.RowsPerWriteSecond / f.Raw.RowsPerSecond:P0} during the batch (sharing the cores with it); "
            + $"per CPU second (against the faster raw form) {r.RowsPerWriteCpuSecond / f.RawRowsPerCpuSecond:P0} alone, {w.RowsPerWriteCpuSecond / f.RawRowsPerCpuSecond:P0} during the batch");
        Console.WriteLine($"stage pauses (cofi_event_writer_pauses_total): {w.Pauses:N0}");
    }

    private static List<LogRow> LogRows(DatabaseSettings db)
    {
        using var connection = db.ReadModel.Connect();
        return connection.Query(r => new LogRow(r.GetInt64(0), r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), Int(r, 5), Int(r, 6), Text(r, 7),
                DateTime.Parse(r.GetString(8), System.Globalization.CultureInfo.InvariantCulture)),
            $"SELECT batchId, stage, eventType, fileName, status, totalFiles, processedFiles, payload, timestamp FROM {ReadModelTables.ExecutionLog} ORDER BY id").ToList();

        static string? Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        static int? Int(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
    }

    /// <summary>Inserts <paramref name="rows"/> into batchExecutionLog of a fresh read-model database beside the batch's, in one transaction.</summary>
    private static RawRate RawInsert(string workDir, string name, PipelineSettings pipeline, IReadOnlyList<LogRow> rows, int rowsPerStatement)
    {
        var db = DatabaseSettings.Sqlite(Path.Combine(workDir, name + ".db"));
        ReadModelSchema.Create(db, pipeline);
        var layout = new ReadModelLayouts(SqlDialect.Sqlite, pipeline).Log;
        // The writer's connection settings (SqlitePragmas), and its commit that leaves the WAL to a checkpoint beside it.
        using var connection = db.ReadModel.Connect();
        connection.Execute("PRAGMA wal_autocheckpoint = 0");
        var clock = Stopwatch.StartNew();
        var cpu = ThreadCpuTime.Now();
        using (var transaction = connection.BeginTransaction())
        {
            SqliteInsert.Insert((SqliteConnection)connection.OpenDbConnection(), layout, rows, rowsPerStatement);
            transaction.Commit();
        }
        return new RawRate(rows.Count, rowsPerStatement, clock.Elapsed, ThreadCpuTime.Now() - cpu);
    }
}
