using System.Security.Cryptography;
using System.Text;

namespace Cofi.Management.Security;

/// <summary>A token as the server keeps it: its name, its role and the SHA-256 of the token, never the token itself.</summary>
public sealed record TokenEntry(string Name, Role Role, byte[] Hash)
{
    public const string HashPrefix = "sha256:";

    /// <summary>A new token: 32 random bytes, URL-safe base64, with a prefix that makes it easy to find in a leaked text.</summary>
    public static string NewToken() => "cofi_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] HashOf(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static TokenEntry For(string name, Role role, string token) => new(name, role, HashOf(token));

    /// <summary>The entry's line in a tokens file.</summary>
    public string Line => $"{Name} {Role.Name()} {HashPrefix}{Convert.ToHexStringLower(Hash)}";

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@');
}
