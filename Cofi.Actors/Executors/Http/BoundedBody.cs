using System.Text;

namespace Cofi.Actors.Executors.Http;

/// <summary>A response body read up to a limit: a service answering with more never makes Cofi buffer it.</summary>
public sealed record BoundedBody(string Text, bool TooLarge, long? DeclaredLength)
{
    public static async Task<BoundedBody> ReadAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > limit) return new BoundedBody("", true, declared);
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) return new BoundedBody("", true, declared);
            buffer.Write(chunk, 0, read);
        }
        return new BoundedBody(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), false, declared);
    }
}
