using System.Text;

namespace Cofi.Cli.Interactive;

/// <summary>A prompt line split into words as a shell would: spaces separate, quotes keep spaces in a word.</summary>
public static class Words
{
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        var started = false;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else word.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                started = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (started || word.Length > 0) words.Add(word.ToString());
                word.Clear();
                started = false;
            }
            else word.Append(c);
        }
        if (started || word.Length > 0) words.Add(word.ToString());
        return words;
    }
}
