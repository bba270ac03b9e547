using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Persistence;
using Cofi.Actors.Progress;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.ReadModel;
using Cofi.Actors.Tests.Support;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>
/// <c>DELETE /api/batches/{id}</c>: an ended batch's journal, snapshots and read-model rows are gone, on SQLite and
/// MariaDB, another batch's are all still there and agree with its journal, and the batch stays gone after a restart.
/// </summary>
public sealed class PurgeApiSpecs
{
    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_delete_an_ended_batch_everywhere_keep_the_others_and_stay_gone_after_a_restart(string kind)
    {
        await using var host = await DeletionHost.StartAsync(kind);
        var db = host.Database;
        var kept = await host.RunAsync("kept", 6);
        var purged = await host.RunAsync("purged", 8);
        await host.Web.DrainReadModelAsync();
        Archive(db);
        var keptBefore = host.Rows(kept);
        var purgedBefore = host.EndedRows(purged);
        purgedBefore[ReadModelTables.ExecutionLogArchive].ShouldBeGreaterThan(0);
        BatchRows.JournalIds(db.Settings, purged).Count.ShouldBe(ReadModelComparison.Stages.Length + 1, "the supervisor's journal and each stage's");

        HttpResponseMessage response;
        await using (var live = await SseClient.ConnectAsync(host.Web.Client, "/api/stream"))
        {
            BatchIds(await live.NextAsync()).ShouldContain(purged);

            response = await Purge(host.Web.Admin, purged, """{ "reason": "retention request 42" }""");

            (await live.ReadUntilAsync(f => f.Type == FrameTypes.Purged)).Last().Frame.GetProperty("batchId").GetInt64().ShouldBe(purged);
        }
        await using (var fresh = await SseClient.ConnectAsync(host.Web.Client, "/api/stream"))
            BatchIds(await fresh.NextAsync()).ShouldNotContain(purged, "live progress forgets a purged batch");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("batchId").GetInt64().ShouldBe(purged);
        var deleted = report.GetProperty("deleted");
        DeletionHost.ShouldReport(deleted, purgedBefore);
        deleted.GetProperty(ReadModelTables.BatchStatus).GetInt64().ShouldBeLessThanOrEqualTo(purgedBefore[ReadModelTables.BatchStatus]);
        report.GetProperty("journalRows").GetInt64().ShouldBe(purgedBefore[JournalTables.Journal]);
        await host.ShouldHaveDeletedOnlyAsync(purged, kept, keptBefore);

        var audit = await host.Web.Admin.GetFromJsonAsync<JsonElement>("/api/audit?action=PurgeBatch");
        var entry = audit.GetProperty("items").EnumerateArray().Single();
        entry.GetProperty("target").GetString().ShouldBe($"/api/batches/{purged}");
        entry.GetProperty("reason").GetString().ShouldBe("retention request 42");
        entry.GetProperty("outcome").GetInt32().ShouldBe(200);
        entry.GetProperty("role").GetString().ShouldBe("admin");
        db.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'SubmitBatch'").ShouldBe(2, "the audit trail is not purged");

        await host.RestartAsync();

        await host.ShouldHaveDeletedOnlyAsync(purged, kept, keptBefore);
        var again = await Purge(host.Web.Admin, purged);
        again.StatusCode.ShouldBe(HttpStatusCode.OK, "purging again finishes what an interrupted purge left: here nothing");
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").EnumerateObject().ShouldAllBe(t => t.Value.GetInt64() == 0);
        (await host.Web.SubmitAsync(host.Web.Samples("next", 2))).ShouldBe(purged + 1, "a purged batch's id is not given again");
    }

    [Fact]
    public async Task Should_refuse_a_running_batch_an_unknown_one_and_an_operator_and_purge_it_once_cancelled()
    {
        await using var web = await CofiWeb.StartAsync("cofi.pipeline.stage.denoise.simulated.latency = 500ms");
        var running = await web.SubmitAsync(web.Samples("running", 40));
        await DeletionHost.Until(async () => (await web.Client.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Single(b => b.BatchId == running).Status == BatchStatus.Running);
        // Its stages have written to the journal, so that "nothing deleted" below can tell.
        await DeletionHost.Until(() => Task.FromResult(JournalIds(web, running).Count > 1));

        var refused = await Purge(web.Admin, running);
        var dryRunRefused = await Purge(web.Admin, running, """{ "dryRun": true }""");
        var unknown = await Purge(web.Admin, 999);
        var byOperator = await Purge(web.Client, running);

        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("cancel it first");
        await dryRunRefused.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        byOperator.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await byOperator.Content.ReadAsStringAsync()).ShouldContain("\"requiredRole\":\"admin\"");
        JournalIds(web, running).ShouldNotBeEmpty("nothing of a running batch is deleted");
        (await web.Client.GetAsync($"/api/batches/{running}/events")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await web.Client.PostAsync($"/api/batches/{running}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var dryRun = await Purge(web.Admin, running, """{ "dryRun": true }""");
        dryRun.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await dryRun.Content.ReadFromJsonAsync<JsonElement>();
        answer.GetProperty("confirm").GetBoolean().ShouldBeTrue();
        answer.GetProperty("affects").GetString()!.ShouldContain("deleted for good");
        (await web.Client.GetAsync($"/api/batches/{running}")).StatusCode.ShouldBe(HttpStatusCode.OK, "a dry run deletes nothing");
        var purged = await Purge(web.Admin, running);
        purged.StatusCode.ShouldBe(HttpStatusCode.OK, "once the cancelled batch's supervisor has stopped");
        JournalIds(web, running).ShouldBeEmpty();
    }

    /// <summary>Copies every execution-log row into the archive, as <c>db prune --archive</c> does with old ones: both batches have archived rows.</summary>
    private static void Archive(TestDatabase db)
    {
        const string columns = "id, batchId, stage, eventType, fileName, status, totalFiles, processedFiles, payload, timestamp";
        var quoted = string.Join(", ", columns.Split(", ").Select(c => Quote(db, c)));
        using var connection = db.Settings.ReadModel.OpenRawConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO batchExecutionLog_archive ({quoted}) SELECT {quoted} FROM batchExecutionLog";
        command.ExecuteNonQuery().ShouldBeGreaterThan(0);
    }

    /// <summary>The batches a stream frame names, in its batch list and its stage counts.</summary>
    private static IEnumerable<long> BatchIds(SseFrame frame) =>
        frame.Batches.Concat(frame.Stages).Select(b => b.GetProperty("batchId").GetInt64());

    private static async Task<HttpResponseMessage> Purge(HttpClient client, long batchId, string? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/batches/{batchId}");
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    private static List<string> JournalIds(CofiWeb web, long batchId) => BatchRows.JournalIds(web.Runtime.Database, batchId);

    private static string Quote(TestDatabase db, string name) => BatchRows.Quote(db, name);
}
