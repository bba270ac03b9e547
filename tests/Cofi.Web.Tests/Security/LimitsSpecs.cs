using System.Net;
using System.Text;
using Cofi.Management.Security;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Security;

/// <summary>Rate limits per token (429 with Retry-After and problem details) and the request body cap (413).</summary>
public sealed class LimitsSpecs
{
    [Fact]
    public async Task Should_answer_429_with_retry_after_to_a_token_over_its_rate_and_not_to_another()
    {
        await using var web = await CofiWeb.StartAsync(access: CofiWeb.Access(CofiWeb.Token) with { Limits = new ApiLimits(1, 2, 64 * 1024) });

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++) answers.Add(await web.Viewer.GetAsync("/api/pipeline"));
        var other = await web.Admin.GetAsync("/api/pipeline");

        answers.Take(2).ShouldAllBe(a => a.StatusCode == HttpStatusCode.OK);
        var refused = await answers[2].ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        refused.GetProperty("detail").GetString()!.ShouldContain("at most 1 requests a second (bursts of 2)");
        int.Parse(answers[2].Headers.GetValues("Retry-After").Single()).ShouldBeGreaterThanOrEqualTo(1);
        other.StatusCode.ShouldBe(HttpStatusCode.OK, "each token has its own bucket");
    }

    [Fact]
    public async Task Should_refuse_a_body_over_the_configured_cap_with_413()
    {
        await using var web = await CofiWeb.StartAsync(access: CofiWeb.Access(CofiWeb.Token) with { Limits = new ApiLimits(0, 1, 2048) });
        var json = $$"""{"input":"{{web.Root}}","name":"{{new string('n', 3000)}}"}""";

        var response = await web.Client.PostAsync("/api/batches", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        problem.GetProperty("detail").GetString().ShouldBe("the body may be at most 2,048 bytes");
    }
}
