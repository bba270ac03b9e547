namespace Cofi.Actors.Files;

/// <summary>A request or response body as an attempt keeps it: at most a bounded number of characters, saying when it was cut.</summary>
public static class LoggedBody
{
    public const string CutMarker = "…[truncated: ";

    public static string Keep(string body, int limit) =>
        body.Length <= limit ? body : $"{body[..limit]}{CutMarker}{limit:N0} of {body.Length:N0} characters kept]";

    public static bool WasCut(string? kept) => kept?.Contains(CutMarker, StringComparison.Ordinal) == true;
}
