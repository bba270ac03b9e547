using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cofi.Management;

/// <summary>
/// Reads a request body as JSON strictly: a size cap, no unknown or repeated fields, no wrong types. Each refusal is
/// problem details naming the field (its JSON path), instead of the framework's binding errors.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The body as <typeparamref name="T"/>, or the problem that refuses it (400, 413 or 415).</summary>
    /// <param name="expected">what each field must be, by its JSON name, for the message of a wrong type.</param>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, IReadOnlyDictionary<string, string> expected)
        where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "JSON expected", "send the body as application/json"));
        // The server's own cap (COFI_MAX_BODY_BYTES) when it is the smaller.
        var cap = Math.Min(MaxBytes, request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? MaxBytes);
        var bytes = await ReadCappedAsync(request, cap);
        if (bytes is null) return (null, Problems.Status(StatusCodes.Status413PayloadTooLarge, "body too large", $"the body may be at most {cap:N0} bytes"));
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, Problems.Fields("body", "must be a JSON object"));
        }
        catch (JsonException e)
        {
            return (null, Problems.Fields("body", $"is not valid JSON: line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}"));
        }
        try
        {
            return (JsonSerializer.Deserialize<T>(bytes, Strict), null);
        }
        catch (JsonException e)
        {
            var (field, message) = Refusal(e, Strict.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name), expected);
            return (null, Problems.Fields(field, message));
        }
    }

    private static (string Field, string Message) Refusal(JsonException e, IEnumerable<string> members, IReadOnlyDictionary<string, string> expected)
    {
        var path = e.Path is { Length: > 1 } p ? p[1..].TrimStart('.') : "";
        if (path.Length == 0) return ("body", "must be a JSON object");
        var top = path.Split('.', '[')[0];
        var member = members.FirstOrDefault(m => string.Equals(m, top, StringComparison.OrdinalIgnoreCase));
        if (member is null) return (path, "unknown field");
        var field = member + path[top.Length..];
        // System.Text.Json tells a repeated field from a wrong type only in its message (English under invariant globalization).
        if (e.Message.StartsWith("Duplicate", StringComparison.Ordinal)) return (field, "given more than once");
        var what = expected.GetValueOrDefault(field) ?? expected.GetValueOrDefault(member + ".*") ?? expected.GetValueOrDefault(member) ?? "of another type";
        return (field, $"must be {what}");
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpRequest request, long cap)
    {
        if (request.ContentLength > cap) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > cap) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
