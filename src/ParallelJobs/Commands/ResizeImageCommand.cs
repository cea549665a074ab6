using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;
using ParallelJobs.Engine;
using ParallelJobs.Operations;
using ParallelJobs.Operations.Images;
using IOPath = System.IO.Path;

namespace ParallelJobs.Commands;

/// <summary>
/// Resize-Image: resizes and converts image files in parallel, in C# on the worker threads, with no
/// runspace per item. Paths are resolved and -WhatIf/-Confirm asked here, on the pipeline thread; the
/// work is <see cref="ResizeImageOperation"/>; the shared parallel parameters are in <see cref="ParallelCommandBase"/>.
/// </summary>
[Cmdlet(VerbsCommon.Resize, "Image", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(ImageResizeResult), typeof(ParallelJobResult))]
public sealed class ResizeImageCommand : ParallelCommandBase
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private ImageResizeSettings? _settings;
    private ResizeImageOperation? _operation;
    private bool _warnedOutsideRoot;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Width { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Height { get; set; }

    [Parameter]
    [ValidateSet("Max", "Crop", "Pad", "Stretch")]
    public string Mode { get; set; } = "Max";

    [Parameter]
    [ValidateSet("keep", "jpg", "jpeg", "png", "webp", "gif", "bmp")]
    public string Format { get; set; } = "keep";

    [Parameter]
    [ValidateRange(1, 100)]
    public int Quality { get; set; }

    [Parameter]
    [ValidateNotNull]
    public string Suffix { get; set; } = string.Empty;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long MaxPixels { get; set; } = 100_000_000;

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxFrames { get; set; } = 1000;

    [Parameter]
    [ValidateRange(1, 1_048_576)]
    public int MaxMemoryMB { get; set; } = 1024;

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    [Parameter]
    public SwitchParameter AllowEnlarge { get; set; }

    [Parameter]
    public SwitchParameter StripMetadata { get; set; }

    [Parameter]
    public SwitchParameter SkipUpToDate { get; set; }

    protected override string LogSignature => _settings!.Signature;

    internal override void Configure(RunOptions options)
    {
        // Each image takes milliseconds: batching would only make the slowest worker finish last.
        options.BatchSize = 1;
    }

    internal override IRunnerFactory CreateRunnerFactory(RunOptions options)
    {
        _operation = new ResizeImageOperation(_settings!);
        return new OperationRunnerFactory(_operation);
    }

    protected override void BeginProcessing()
    {
        _settings = BuildSettings();
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        var files = new List<string>();
        var folders = new List<string>();
        foreach (string path in (literal ? LiteralPath : Path) ?? Array.Empty<string>())
        {
            foreach (string resolved in Resolve(path, literal))
            {
                if (Recurse && Directory.Exists(resolved))
                {
                    folders.Add(resolved);
                    files.AddRange(ImageFolder.Enumerate(resolved, _settings!.DestinationFolder, ReportUnreadableFolder));
                }
                else
                {
                    // Each file's folder counts towards the root, as a file in it would.
                    folders.Add(IOPath.GetDirectoryName(IOPath.GetFullPath(resolved)) ?? resolved);
                    files.Add(resolved);
                }
            }
        }

        if (!MyInvocation.ExpectingInput)
        {
            SetKnownTotal(files.Count);
        }

        // Without -Root, the structure kept below -Destination is that below the first input's common folder
        // (a folder searched with -Recurse counting as itself).
        if (_settings!.DestinationFolder is not null && _settings.Root is null && folders.Count > 0)
        {
            _settings.Root = CommonFolder(folders);
        }

        foreach (string file in files)
        {
            WarnIfOutsideRoot(file);
            string destination = _settings!.DestinationFor(file);
            if (!ShouldProcess($"{file} -> {destination}", "Resize image"))
            {
                continue;
            }

            _operation!.AddSource(file);
            Enqueue(file);
        }
    }

    private static string CommonFolder(List<string> folders)
    {
        string common = IOPath.GetFullPath(folders[0]);
        foreach (string folder in folders)
        {
            // RelativeFolder looks at the folder of its first argument: a name inside the folder stands for it.
            string inside = IOPath.Combine(folder, "_");
            while (ImageResizeSettings.RelativeFolder(inside, common) is null && IOPath.GetDirectoryName(common) is { } parent)
            {
                common = parent;
            }
        }

        return common;
    }

    /// <summary>
    /// A source outside a root found from the first input is flattened into -Destination: say so once, as that is
    /// what recursive pipeline input does when its first file is in a subfolder.
    /// </summary>
    private void WarnIfOutsideRoot(string file)
    {
        if (_warnedOutsideRoot || _settings!.RootGiven || _settings.Root is not { } root || ImageResizeSettings.RelativeFolder(file, root) is not null)
        {
            return;
        }

        _warnedOutsideRoot = true;
        WriteWarning($"'{file}' is outside '{root}', the folder of the first input, so it and any other such image are written straight into -Destination, without their folders. To keep the folder structure, give -Root, or pass the folder itself with -Recurse.");
    }

    private void ReportUnreadableFolder(string folder, Exception ex) =>
        WriteError(new ErrorRecord(
            new IOException($"Cannot list the folder '{folder}' for -Recurse: {ex.Message}", ex),
            ErrorIds.SourceUnreadable, ErrorCategory.ReadError, folder));

    /// <summary>Full file-system paths for one -Path (wildcards expanded) or -LiteralPath, relative to the caller's location.</summary>
    private List<string> Resolve(string path, bool literal)
    {
        var files = new List<string>();
        ProviderInfo provider;
        try
        {
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                files.AddRange(GetResolvedProviderPathFromPSPath(path, out provider));
            }
            else
            {
                // A missing file is reported by its own item, in input order.
                files.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _));
            }
        }
        catch (Exception ex) when (ex is SessionStateException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.PathNotResolved, ErrorCategory.ObjectNotFound, path));
            return new List<string>();
        }

        if (provider.ImplementingType != typeof(FileSystemProvider))
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"'{path}' is a {provider.Name} path: Resize-Image reads image files from the file system only."),
                ErrorIds.NotFileSystemPath, ErrorCategory.InvalidArgument, path));
            return new List<string>();
        }

        return files;
    }

    private ImageResizeSettings BuildSettings()
    {
        var settings = new ImageResizeSettings
        {
            Width = Width,
            Height = Height,
            Mode = (ImageFitMode)Enum.Parse(typeof(ImageFitMode), Mode, ignoreCase: true),
            Format = Format.ToLowerInvariant() switch
            {
                "jpg" or "jpeg" => ImageOutputFormat.Jpeg,
                "png" => ImageOutputFormat.Png,
                "webp" => ImageOutputFormat.Webp,
                "gif" => ImageOutputFormat.Gif,
                "bmp" => ImageOutputFormat.Bmp,
                _ => ImageOutputFormat.Keep,
            },
            Quality = MyInvocation.BoundParameters.ContainsKey(nameof(Quality)) ? Quality : null,
            Suffix = Suffix,
            Force = Force,
            AllowEnlarge = AllowEnlarge,
            StripMetadata = StripMetadata,
            SkipUpToDate = SkipUpToDate,
            MaxPixels = MaxPixels,
            MaxFrames = MaxFrames,
            MaxMemoryBytes = MaxMemoryMB * 1024L * 1024,
        };

        if (settings.Mode != ImageFitMode.Max && (Width == 0 || Height == 0))
        {
            Refuse(ErrorIds.SizeRequired, $"-Mode {settings.Mode} fills a box of -Width by -Height pixels: give both.");
        }

        if (Suffix.IndexOfAny(IOPath.GetInvalidFileNameChars()) >= 0 || Suffix.IndexOfAny(new[] { '/', '\\' }) >= 0)
        {
            Refuse(ErrorIds.InvalidSuffix, $"-Suffix '{Suffix}' cannot be part of a file name.");
        }

        if (Destination is not null)
        {
            string folder;
            try
            {
                folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination, out ProviderInfo provider, out _);
                if (provider.ImplementingType != typeof(FileSystemProvider))
                {
                    Refuse(ErrorIds.NotFileSystemPath, $"-Destination '{Destination}' is a {provider.Name} path: give a folder in the file system.");
                }
            }
            catch (Exception ex) when (ex is SessionStateException or NotSupportedException or ArgumentException or PSInvalidOperationException)
            {
                Refuse(ErrorIds.PathNotResolved, $"-Destination '{Destination}': {ex.Message}");
                throw;
            }

            if (File.Exists(folder))
            {
                Refuse(ErrorIds.DestinationNotFolder, $"-Destination '{folder}' is a file: give a folder (it is created if missing).");
            }

            settings.DestinationFolder = folder;
            if (Root is not null)
            {
                settings.Root = ResolveFolder(Root, "-Root");
                settings.RootGiven = true;
            }
        }
        else if (Root is not null)
        {
            Refuse(ErrorIds.RootWithoutDestination, "-Root says which folder structure to keep below -Destination: give -Destination too.");
        }
        else if (settings.Suffix.Length == 0 && settings.Format == ImageOutputFormat.Keep)
        {
            Refuse(ErrorIds.DestinationRequired, "Without -Destination, each image is written beside its source: give -Suffix or a -Format, so that no source is overwritten.");
        }

        return settings;
    }

    private string ResolveFolder(string path, string parameter)
    {
        try
        {
            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                Refuse("NotFileSystemPath", $"{parameter} '{path}' is a {provider.Name} path: give a folder in the file system.");
            }

            return folder;
        }
        catch (Exception ex) when (ex is SessionStateException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            Refuse("PathNotResolved", $"{parameter} '{path}': {ex.Message}");
            throw;
        }
    }

    private void Refuse(string errorId, string message) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, null));
}
