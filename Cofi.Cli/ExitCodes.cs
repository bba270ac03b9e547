namespace Cofi.Cli;

/// <summary>What <c>cofi</c> exits with; the README lists them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Refused = 4;
    public const int Unreachable = 5;
    public const int Unauthorized = 6;
}

/// <summary>A failure that ends a command with one line on standard error and its exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
