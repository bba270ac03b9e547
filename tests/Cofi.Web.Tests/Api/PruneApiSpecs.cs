using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.ReadModel;
using Cofi.Actors.Tests.Support;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>
/// <c>POST /api/prune</c> on SQLite and MariaDB: of two ended batches, the one that ended before the cut-off goes
/// whole — journal, tags, snapshots and every read-model table — while the one that ended after it and a paused batch
/// submitted before it keep every row, and the read model still agrees with the journal. Admins only; a dry run lists
/// what would go and deletes nothing; each call is in the audit trail.
/// </summary>
public sealed class PruneApiSpecs
{
    /// <summary>A slow denoise keeps a batch unfinished.</summary>
    private const string SlowDenoise = "cofi.pipeline.stage.denoise.simulated.latency = 200ms";

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_prune_the_batch_that_ended_before_the_cutoff_whole_and_keep_a_later_one_and_an_unfinished_one(string kind)
    {
        await using var host = await DeletionHost.StartAsync(kind, SlowDenoise);
        var web = host.Web;
        var paused = await web.SubmitAsync(web.Samples("paused", 60));
        await DeletionHost.Until(() => Task.FromResult(BatchRows.JournalIds(web.Runtime.Database, paused).Count > 1));
        (await web.Client.PostAsync($"/api/batches/{paused}/pause", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var old = await host.RunAsync("old", 5);
        var later = await host.RunAsync("later", 4);
        var cutoff = (await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{later}", CofiWeb.Json)).GetProperty("batch").GetProperty("submittedAt").GetDateTimeOffset();
        await web.DrainReadModelAsync();
        var oldBefore = host.EndedRows(old);
        var laterBefore = host.Rows(later);
        var pausedBefore = host.Rows(paused);
        oldBefore[ReadModelTables.ProcessingLogs].ShouldBeGreaterThan(0);
        var request = $$"""{ "endedBefore": "{{cutoff:O}}", "reason": "retention 90 days" }""";

        var byOperator = await Prune(web.Client, request);
        var badAge = await Prune(web.Admin, """{ "olderThan": "3 months" }""");
        var dryRun = await Prune(web.Admin, $$"""{ "endedBefore": "{{cutoff:O}}", "dryRun": true }""");
        var countsAfterDryRun = host.Rows(old);
        var pruned = await Prune(web.Admin, request);

        byOperator.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await byOperator.Content.ReadAsStringAsync()).ShouldContain("\"requiredRole\":\"admin\"");
        await badAge.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await badAge.Content.ReadAsStringAsync()).ShouldContain("olderThan");
        dryRun.StatusCode.ShouldBe(HttpStatusCode.OK, await dryRun.Content.ReadAsStringAsync());
        var plan = await dryRun.Content.ReadFromJsonAsync<JsonElement>();
        plan.GetProperty("confirm").GetBoolean().ShouldBeTrue();
        plan.GetProperty("batches").EnumerateArray().Select(b => b.GetProperty("batchId").GetInt64()).ShouldBe([old]);
        DeletionHost.ShouldReport(plan.GetProperty("rows"), oldBefore);
        countsAfterDryRun.ShouldBe(oldBefore, "a dry run deletes nothing");

        pruned.StatusCode.ShouldBe(HttpStatusCode.OK, await pruned.Content.ReadAsStringAsync());
        var report = await pruned.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("batches").EnumerateArray().Select(b => b.GetProperty("batchId").GetInt64()).ShouldBe([old]);
        DeletionHost.ShouldReport(report.GetProperty("rows"), oldBefore);
        await host.ShouldHaveDeletedOnlyAsync(old, later, laterBefore);
        foreach (var (table, rows) in host.Rows(paused)) rows.ShouldBeGreaterThanOrEqualTo(pausedBefore[table], $"nothing of the paused batch is deleted: {table}");
        host.Rows(paused)[JournalTables.Journal].ShouldBeGreaterThan(0);
        (await web.Client.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Select(b => b.BatchId).ShouldContain(paused);

        var audit = (await web.Admin.GetFromJsonAsync<JsonElement>("/api/audit?action=PruneBatches")).GetProperty("items").EnumerateArray().ToList();
        audit.Select(e => e.GetProperty("outcome").GetInt32()).ShouldBe([200, 200, 400, 403]);
        audit[0].GetProperty("reason").GetString().ShouldBe("retention 90 days");
        audit[0].GetProperty("role").GetString().ShouldBe("admin");
    }

    private static async Task<HttpResponseMessage> Prune(HttpClient client, string body) =>
        await client.PostAsync("/api/prune", new StringContent(body, Encoding.UTF8, "application/json"));
}
