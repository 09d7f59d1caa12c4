namespace MicoPortal.Server.Auth;

/// <summary>Where signing in may send a person back to: this portal's own paths only, never an open redirect.</summary>
public static class ReturnUrls
{
    /// <summary>
    /// A path on this site: starts with one <c>/</c> not followed by another <c>/</c> or a <c>\</c> (browsers
    /// read <c>/\evil.example</c> as <c>//evil.example</c>, another host), with no control characters, which
    /// browsers strip before reading the rest. The rule of ASP.NET Core's <c>IsLocalUrl</c>.
    /// </summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    /// <summary><paramref name="url"/> when it is local, else the overview.</summary>
    public static string OrHome(string? url) => IsLocal(url) ? url! : "/";
}
