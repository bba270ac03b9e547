using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

public sealed class RetryFailedApiSpecs
{
    [Fact]
    public async Task Should_queue_a_finished_batch_again_for_its_failed_files()
    {
        await using var web = await CofiWeb.StartAsync();
        var batchId = await web.SubmitAsync(web.Samples("retry", 20, corrupt: 2));
        await web.WaitForEndAsync(batchId);

        var anonymous = await web.Anonymous.PostAsync($"/api/batches/{batchId}/retry-failed", null);
        var unknown = await web.Client.PostAsync("/api/batches/999/retry-failed", null);
        var accepted = await web.Client.PostAsync($"/api/batches/{batchId}/retry-failed", null);
        var again = await web.WaitForEndAsync(batchId);

        await anonymous.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("wasFinished").GetBoolean().ShouldBeTrue();
        again.Status.ShouldBe(BatchStatus.Completed);
    }

    [Fact]
    public async Task Should_list_a_file_that_hung_on_three_machines_as_quarantined_apart_from_the_other_failures()
    {
        var (web, batchId) = await HungBatch.RunAsync();
        await using var _ = web;

        var all = await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}/failed");
        var quarantined = await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}/failed?quarantined=true");

        var failed = all.GetProperty("items").EnumerateArray().ToList();
        failed.Count.ShouldBe(2, "the corrupt file at distribution and the hanging one at denoise");
        failed.Single(f => f.GetProperty("quarantined").GetBoolean()).GetProperty("file").GetString().ShouldBe("call-00003.wav");
        var only = quarantined.GetProperty("items").EnumerateArray().Single();
        (only.GetProperty("stage").GetString(), only.GetProperty("file").GetString()).ShouldBe(("denoise", "call-00003.wav"));
        only.GetProperty("reason").GetString()!.ShouldStartWith("quarantined: timed out or dropped the connection on 3 machines");

        // The event log filters by status, and retry-failed's dry run leaves the quarantined file out unless it is included.
        var logged = await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}/events?type=file_error&status=quarantined");
        var badStatus = await web.Client.GetAsync($"/api/batches/{batchId}/events?status=Quarantined!");
        var leftOut = await web.Client.PostAsJsonAsync($"/api/batches/{batchId}/retry-failed", new { dryRun = true });
        var included = await web.Client.PostAsJsonAsync($"/api/batches/{batchId}/retry-failed", new { dryRun = true, includeQuarantined = true });

        logged.GetProperty("total").GetInt32().ShouldBe(1);
        logged.GetProperty("items")[0].GetProperty("fileName").GetString().ShouldBe("call-00003.wav");
        (await badStatus.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("status").ToString().ShouldContain("such as failed or quarantined");
        var withoutIt = await leftOut.Content.ReadFromJsonAsync<JsonElement>();
        withoutIt.GetProperty("count").GetInt32().ShouldBe(0);
        withoutIt.GetProperty("affects").GetString()!.ShouldEndWith("; 1 quarantined file(s) stay failed unless included");
        var withIt = await included.Content.ReadFromJsonAsync<JsonElement>();
        withIt.GetProperty("count").GetInt32().ShouldBe(1);
        withIt.GetProperty("affects").GetString()!.ShouldStartWith($"1 failed file(s) of batch {batchId} 'hung' go through again");
    }

    [Fact]
    public async Task Should_take_quarantined_files_back_only_when_asked_and_refuse_a_flag_that_is_not_a_boolean()
    {
        await using var web = await CofiWeb.StartAsync();
        var batchId = await web.SubmitAsync(web.Samples("quarantined", 10, corrupt: 1));
        await web.WaitForEndAsync(batchId);

        var wrong = await web.Client.PostAsJsonAsync($"/api/batches/{batchId}/retry-failed", new { includeQuarantined = "yes" });
        var accepted = await web.Client.PostAsJsonAsync($"/api/batches/{batchId}/retry-failed", new { includeQuarantined = true, reason = "model fixed" });

        (await wrong.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ToString().ShouldContain("includeQuarantined");
        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        (await web.WaitForEndAsync(batchId)).Status.ShouldBe(BatchStatus.Completed);
    }
}
