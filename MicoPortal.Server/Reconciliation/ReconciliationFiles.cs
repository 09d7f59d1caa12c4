using MicoPortal.Server.Data;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Reconciliation;

/// <summary>The folder where uploaded transaction logs wait for their reconciliation job.</summary>
public sealed class ReconciliationFiles(IOptions<ReconciliationOptions> options, IConfiguration configuration, IHostEnvironment environment)
{
    public string Directory { get; } = Resolve(options.Value, configuration, environment);

    /// <summary>A new file name for an upload; never derived from the uploaded name.</summary>
    public static string NewName() => $"{Guid.NewGuid():N}.csv";

    public string PathOf(string storedFile) => Path.Combine(Directory, Path.GetFileName(storedFile));

    /// <summary>
    /// The path for a file about to be written, its folder created if missing. Only writing creates the
    /// folder: the minutely watchdog resolves this class too, and creating the data directory then (in an
    /// outage where it has gone) would let SQLite open a new, empty database in it.
    /// </summary>
    public string PathForNew(string storedFile)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return PathOf(storedFile);
    }

    public void Delete(string storedFile)
    {
        try
        {
            File.Delete(PathOf(storedFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next clean-up; the report is already in the database.
        }
    }

    private static string Resolve(ReconciliationOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        var directory = string.IsNullOrWhiteSpace(options.FileDirectory)
            ? Path.Combine(DataExtensions.DataDirectoryOf(configuration, environment, create: false), "reconciliations")
            : Path.GetFullPath(options.FileDirectory, environment.ContentRootPath);
        return directory;
    }
}
