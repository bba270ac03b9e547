namespace Cofi.Management.Security;

/// <summary>
/// The tokens file (<c>COFI_TOKENS_FILE</c>): one token a line, <c>NAME ROLE sha256:HEX</c>, where HEX is the
/// SHA-256 of the token in lower-case hexadecimal; blank lines and lines starting with <c>#</c> are ignored.
/// A line that cannot be read is refused with its number, so the process stops at start instead of running with
/// fewer tokens than meant.
/// </summary>
public static class TokenFile
{
    public const string Variable = "COFI_TOKENS_FILE";

    /// <exception cref="ManagementConfigurationException">naming <see cref="Variable"/>, the file and the line.</exception>
    public static IReadOnlyList<TokenEntry> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManagementConfigurationException(Variable, $"cannot read {path}: {e.Message}");
        }
        var entries = new List<TokenEntry>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var problem = Parse(line, out var entry);
            if (problem is null && entries.Any(e => e.Name == entry!.Name)) problem = $"the name '{entry!.Name}' is given twice";
            if (problem is not null) throw new ManagementConfigurationException(Variable, $"{path} line {i + 1}: {problem}");
            entries.Add(entry!);
        }
        return entries;
    }

    /// <summary>Appends a new token to the file (created, readable by its owner only, when missing) and answers the token.</summary>
    /// <exception cref="ManagementConfigurationException">when the name is invalid or taken, or the file has a bad line.</exception>
    public static string Add(string path, string name, Role role)
    {
        if (!TokenEntry.IsValidName(name))
            throw new ManagementConfigurationException("NAME", $"'{name}' is not a token name: up to 64 letters, digits, '-', '_', '.' or '@'");
        var existing = File.Exists(path) ? Read(path) : [];
        if (existing.Any(e => e.Name == name)) throw new ManagementConfigurationException("NAME", $"{path} already has a token named '{name}'");
        var token = TokenEntry.NewToken();
        var line = TokenEntry.For(name, role, token).Line + Environment.NewLine;
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var created = new StreamWriter(new FileStream(path, options));
            created.Write("# Cofi API tokens: NAME ROLE sha256:HEX (the SHA-256 of the token). Made by 'Cofi.Host token add'.\n" + line);
            return token;
        }
        var text = File.ReadAllText(path);
        File.AppendAllText(path, (text.Length > 0 && !text.EndsWith('\n') ? Environment.NewLine : "") + line);
        return token;
    }

    private static string? Parse(string line, out TokenEntry? entry)
    {
        entry = null;
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3) return "expected NAME ROLE sha256:HEX";
        if (!TokenEntry.IsValidName(parts[0])) return $"'{parts[0]}' is not a token name: up to 64 letters, digits, '-', '_', '.' or '@'";
        if (!Roles.TryParse(parts[1], out var role)) return $"'{parts[1]}' is not a role: {Roles.Choices}";
        var hash = parts[2];
        if (!hash.StartsWith(TokenEntry.HashPrefix, StringComparison.Ordinal) || hash.Length != TokenEntry.HashPrefix.Length + 64
            || !hash[TokenEntry.HashPrefix.Length..].All(char.IsAsciiHexDigit))
            return "the hash must be sha256: followed by 64 hexadecimal digits";
        entry = new TokenEntry(parts[0], role, Convert.FromHexString(hash[TokenEntry.HashPrefix.Length..]));
        return null;
    }
}
