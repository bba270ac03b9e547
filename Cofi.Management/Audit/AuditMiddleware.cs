using System.Text.Json;
using Cofi.Management.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Cofi.Management.Audit;

/// <summary>
/// Records every request that is not a read (anything but GET, HEAD and OPTIONS) in the <see cref="IAuditTrail"/> with the
/// status it was answered with. It runs after authentication and before authorization, so requests refused with 401
/// or 403 are recorded too, as are those a handler refused (4xx) or failed on (500).
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, IAuditTrail trail, ILogger<AuditMiddleware> log, TimeProvider time)
{
    public const int MaxTarget = 512;

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            await next(http);
            return;
        }
        var at = time.GetUtcNow().UtcDateTime;
        var reason = await ReasonAsync(request);
        var outcome = 0;
        try
        {
            await next(http);
            outcome = http.Response.StatusCode;
        }
        catch
        {
            outcome = StatusCodes.Status500InternalServerError;
            throw;
        }
        finally
        {
            var user = http.User;
            var authenticated = user.Identity?.IsAuthenticated == true;
            var action = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? $"{request.Method} (no endpoint)";
            var target = Clip(request.Path.Value ?? "/", MaxTarget);
            var entry = new AuditEntry(at, authenticated ? user.Identity!.Name : null, TokenAuthentication.RoleOf(user)?.Name(), action, target, reason,
                outcome, http.Connection.RemoteIpAddress?.ToString());
            try
            {
                await trail.RecordAsync(entry, CancellationToken.None);
            }
            catch (Exception e)
            {
                log.LogError(e, "audit: could not record {Action} {Target} by {Token} ({Outcome})", action, target, entry.TokenName, outcome);
            }
        }
    }

    /// <summary>The <c>reason</c> of a JSON body, read from a buffered copy that the endpoint then reads again.</summary>
    private static async Task<string?> ReasonAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType() || request.ContentLength is 0 or > JsonBody.MaxBytes) return null;
        request.EnableBuffering();
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > JsonBody.MaxBytes) return null;
                buffer.Write(chunk, 0, read);
            }
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                ? Clip(new string(reason.GetString()!.Select(c => char.IsControl(c) ? ' ' : c).ToArray()), OperatorBody.MaxReason)
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
