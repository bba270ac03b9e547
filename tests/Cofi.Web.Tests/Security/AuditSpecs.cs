using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cofi.Actors.Tests.Support;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Security;

/// <summary>Every mutation asked of the API leaves an <c>audit_log</c> row, refused ones too, on SQLite and on MariaDB.</summary>
public sealed class AuditSpecs
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("mariadb")]
    public async Task Should_record_every_mutation_with_who_why_and_what_came_of_it_refused_ones_included(string database)
    {
        using var mysql = database == "mariadb" ? new MySqlTestDatabase() : null;
        await using var web = await CofiWeb.StartAsync(database: mysql?.Settings);
        var input = web.Samples("audited", 3);

        var unauthenticated = await web.Anonymous.PostAsync("/api/batches/1/pause", null);
        var tooWeak = await web.Viewer.PostAsync("/api/batches/1/pause", Reason("looking"));
        var submitted = await web.Client.PostAsync("/api/batches", Json(new { input, reason = "march calls" }));
        var batchId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64();
        var unknown = await web.Client.PostAsync("/api/batches/999/cancel", Reason("wrong batch"));
        var twoLines = await web.Client.PostAsync($"/api/batches/{batchId}/pause", Reason("first line\nsecond line"));
        var badSignIn = await web.Anonymous.PostAsync("/api/session", Json(new { token = "guess" }));

        unauthenticated.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        tooWeak.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        submitted.StatusCode.ShouldBe(HttpStatusCode.Created);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        twoLines.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a reason is one line");
        badSignIn.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var rows = await RowsAsync(web, "");
        rows.Select(r => (r.Token, r.Role, r.Action, r.Target, r.Outcome, r.Reason)).ShouldBe(
        [
            (null, null, "SignIn", "/api/session", 401, null),
            ("api-token", "operator", "PauseBatch", $"/api/batches/{batchId}/pause", 400, "first line second line"),
            ("api-token", "operator", "CancelBatch", "/api/batches/999/cancel", 404, "wrong batch"),
            ("api-token", "operator", "SubmitBatch", "/api/batches", 201, "march calls"),
            ("dashboard", "viewer", "PauseBatch", "/api/batches/1/pause", 403, "looking"),
            (null, null, "PauseBatch", "/api/batches/1/pause", 401, null),
        ]);
        rows.ShouldAllBe(r => r.Client == "127.0.0.1" && r.At > DateTimeOffset.UtcNow.AddMinutes(-5) && r.At <= DateTimeOffset.UtcNow);

        (await RowsAsync(web, "?token=dashboard")).Single().Action.ShouldBe("PauseBatch");
        (await RowsAsync(web, "?outcome=401")).Count.ShouldBe(2);
        var first = await web.Admin.GetFromJsonAsync<JsonElement>("/api/audit?limit=2");
        var next = await web.Admin.GetFromJsonAsync<JsonElement>($"/api/audit?limit=2&after={first.GetProperty("next").GetInt64()}");
        first.GetProperty("done").GetBoolean().ShouldBeFalse();
        next.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ShouldBe(["CancelBatch", "SubmitBatch"]);
        await (await web.Client.GetAsync("/api/audit")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await web.Admin.GetAsync("/api/audit?limit=0")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    private sealed record Row(DateTimeOffset At, string? Token, string? Role, string Action, string Target, string? Reason, int Outcome, string? Client);

    private static async Task<List<Row>> RowsAsync(CofiWeb web, string query)
    {
        var page = await web.Admin.GetFromJsonAsync<JsonElement>("/api/audit" + query);
        return page.GetProperty("items").EnumerateArray().Select(i => new Row(i.GetProperty("at").GetDateTimeOffset(), i.GetProperty("tokenName").GetString(),
            i.GetProperty("role").GetString(), i.GetProperty("action").GetString()!, i.GetProperty("target").GetString()!, i.GetProperty("reason").GetString(),
            i.GetProperty("outcome").GetInt32(), i.GetProperty("clientAddress").GetString())).ToList();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static StringContent Reason(string reason) => Json(new { reason });
}
