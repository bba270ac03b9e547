namespace Cofi.Management.Security;

/// <summary>What a token may do; each role may do all that the roles below it may.</summary>
public enum Role
{
    /// <summary>The dashboard, every read endpoint, the SSE streams and /metrics.</summary>
    Viewer = 1,

    /// <summary>And submit, pause, resume, cancel, retry, priority, drain, add and remove machines, cluster join, leave and down.</summary>
    Operator = 2,

    /// <summary>And purging batches, the audit trail and token management.</summary>
    Admin = 3,
}

public static class Roles
{
    public static string Name(this Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string text, out Role role)
    {
        role = text switch
        {
            "viewer" => Role.Viewer,
            "operator" => Role.Operator,
            "admin" => Role.Admin,
            _ => 0,
        };
        return role != 0;
    }

    public const string Choices = "viewer, operator or admin";
}
