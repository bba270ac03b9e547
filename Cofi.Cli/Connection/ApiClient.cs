using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Cofi.Cli.Connection;

/// <summary>
/// HTTP to one node's API. A node that cannot be reached, and every error answer, become a <see cref="CliException"/>
/// with the exit code and the one line the operator reads (the problem details' title and detail, or its fields).
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(Target target)
    {
        Target = target;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = target.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (target.Token is { } token) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Target Target { get; }

    public async Task<JsonNode?> GetJsonAsync(string path, CancellationToken cancel)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancel);
        return await ReadJsonAsync(response, cancel);
    }

    public async Task<JsonNode?> SendJsonAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancel)
    {
        using var response = await SendAsync(Request(method, path, body), cancel);
        return await ReadJsonAsync(response, cancel);
    }

    /// <summary>The response with its headers read and its body still to stream; the caller disposes it.</summary>
    public async Task<HttpResponseMessage> OpenAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancel) =>
        await SendAsync(Request(method, path, body), cancel, HttpCompletionOption.ResponseHeadersRead);

    private static HttpRequestMessage Request(HttpMethod method, string path, JsonObject? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach {Target.Display}: {Innermost(e).Message}");
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach {Target.Display}: no answer in time");
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancel);
            throw new CliException(ExitCode(response.StatusCode), Problem(response.StatusCode, text));
        }
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        var text = await response.Content.ReadAsStringAsync(cancel);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static int ExitCode(HttpStatusCode status) => (int)status switch
    {
        400 or 413 or 415 or 422 => ExitCodes.Usage,
        401 or 403 => ExitCodes.Unauthorized,
        404 => ExitCodes.NotFound,
        409 => ExitCodes.Refused,
        502 or 503 or 504 => ExitCodes.Unreachable,
        _ => ExitCodes.Unexpected,
    };

    /// <summary>One line from a problem-details body: the detail, or each refused field with why.</summary>
    private static string Problem(HttpStatusCode status, string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                if (problem["errors"] is JsonObject errors && errors.Count > 0)
                    return string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value?.AsArray().Select(m => m?.ToString()) ?? [])}"));
                var title = problem["title"]?.ToString();
                var detail = problem["detail"]?.ToString();
                if (detail is not null) return title is null ? detail : $"{title}: {detail}";
                if (title is not null) return title;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return $"the node answered {(int)status} {status}";
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    public void Dispose() => _http.Dispose();
}
