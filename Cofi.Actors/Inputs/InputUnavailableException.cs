namespace Cofi.Actors.Inputs;

/// <summary>
/// Thrown when a batch's input as a whole (not one file in it) cannot be used: the path is missing,
/// the manifest cannot be read, and so on. The message is meant for users and names the path.
/// </summary>
public sealed class InputUnavailableException : Exception
{
    public InputUnavailableException(string inputPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        InputPath = inputPath;
    }

    public string InputPath { get; }
}
