using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;
using System.Text;

namespace Cofi.Management;

/// <summary>The bearer token mutating endpoints require; null: none is required. Read from <c>COFI_API_TOKEN</c> unless a host registers its own.</summary>
public sealed record ApiTokenSettings(string? Token)
{
    public const string Variable = "COFI_API_TOKEN";

    public static ApiTokenSettings FromEnvironment(Func<string, string?> environment) =>
        new(environment(Variable) is { Length: > 0 } token ? token : null);
}

/// <summary>Mutating endpoints require <c>Authorization: Bearer {COFI_API_TOKEN}</c> when a token is configured.</summary>
public static class ApiToken
{
    public static RouteHandlerBuilder RequireApiToken(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var settings = context.HttpContext.RequestServices.GetRequiredService<ApiTokenSettings>();
            if (settings.Token is null || Matches(context.HttpContext.Request.Headers.Authorization.ToString(), settings.Token))
                return await next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "bearer token required",
                detail: $"this endpoint changes state: send 'Authorization: Bearer <token>' with the token in {ApiTokenSettings.Variable}");
        }).ProducesProblem(StatusCodes.Status401Unauthorized);

    private static bool Matches(string header, string token)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
