using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cofi.Actors.Executors;
using Cofi.Actors.Executors.Http;
using Cofi.Actors.Files;

namespace Cofi.Actors.Tests.Http;

public sealed class HttpAnswerSpecs
{
    private static readonly HttpResponseHeaders NoHeaders = new HttpResponseMessage().Headers;

    private static CallOutcome Classify(HttpStatusCode status, string body, HttpResponseHeaders? headers = null, bool tooLarge = false) =>
        HttpAnswer.Classify("gpu-a", status, headers ?? NoHeaders, new BoundedBody(body, tooLarge, tooLarge ? 5_000_000 : null), 1024, TimeProvider.System);

    [Fact]
    public void Should_take_a_json_object_as_the_result()
    {
        Classify(HttpStatusCode.OK, """{"transcript":"hi"}""").ShouldBe(new CallOutcome.Completed("""{"transcript":"hi"}"""));
    }

    [Theory]
    [InlineData("{\"transcript\": \"cut", "malformed JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("", "malformed JSON")]
    public void Should_fail_the_file_on_a_body_that_is_not_a_json_object(string body, string reason)
    {
        Classify(HttpStatusCode.OK, body).ShouldBeOfType<CallOutcome.PermanentFailure>().Reason.ShouldContain(reason);
    }

    [Fact]
    public void Should_fail_the_file_on_a_body_over_the_limit()
    {
        Classify(HttpStatusCode.OK, "", tooLarge: true).ShouldBeOfType<CallOutcome.PermanentFailure>().Reason
            .ShouldBe("gpu-a answered HTTP 200 with a body over the 1,024-byte limit (5,000,000 bytes declared)");
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public void Should_fail_the_file_on_a_4xx_with_the_services_reason(HttpStatusCode status)
    {
        var outcome = Classify(status, """{"title":"Bad Request","detail":"unsupported codec"}""");

        outcome.ShouldBeOfType<CallOutcome.PermanentFailure>().Reason.ShouldBe($"gpu-a answered HTTP {(int)status} {status}: unsupported codec");
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public void Should_retry_408_and_5xx(HttpStatusCode status)
    {
        Classify(status, "oops").ShouldBeOfType<CallOutcome.TransientFailure>().RetryAfter.ShouldBeNull();
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public void Should_honour_retry_after_on_429_and_503(HttpStatusCode status)
    {
        var headers = new HttpResponseMessage().Headers;
        headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Classify(status, "", headers).ShouldBeOfType<CallOutcome.TransientFailure>().RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void Should_cap_a_retry_after_date_far_away()
    {
        var headers = new HttpResponseMessage().Headers;
        headers.RetryAfter = new RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddDays(1));

        HttpAnswer.RetryAfter(headers, TimeProvider.System).ShouldBe(HttpAnswer.MaxRetryAfter);
    }

    [Fact]
    public async Task Should_stop_reading_a_body_past_the_limit_without_a_declared_length()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 50_000))));

        var body = await BoundedBody.ReadAsync(content, 10_000, CancellationToken.None);

        body.TooLarge.ShouldBeTrue();
        body.Text.ShouldBeEmpty();
    }

    [Fact]
    public void Should_say_when_a_logged_body_was_cut()
    {
        LoggedBody.Keep("abcdef", 4).ShouldBe("abcd…[truncated: 4 of 6 characters kept]");
        LoggedBody.WasCut(LoggedBody.Keep("abcdef", 4)).ShouldBeTrue();
        LoggedBody.Keep("abc", 4).ShouldBe("abc");
        LoggedBody.WasCut("abc").ShouldBeFalse();
    }
}
