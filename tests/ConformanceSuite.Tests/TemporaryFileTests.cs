namespace ConformanceSuite.Tests;

/// <summary>The suite's temporary files: written and read back through their handle, and never left on disk by a killed run.</summary>
[TestFixture]
public sealed class TemporaryFileTests
{
    [Test]
    public void A_temporary_file_is_read_back_through_its_handle_and_has_no_name_on_disk()
    {
        var folder = Directory.CreateTempSubdirectory("cs-temporary-file-").FullName;
        try
        {
            var path = Path.Combine(folder, "spill");
            using (var handle = TemporaryFile.Open(path))
            {
                RandomAccess.Write(handle, "written"u8, 0);
                var back = new byte[7];
                RandomAccess.Read(handle, back, 0).Should().Be(7);
                back.Should().Equal("written"u8.ToArray());
                if (!OperatingSystem.IsWindows())
                {
                    Directory.EnumerateFileSystemEntries(folder).Should().BeEmpty("its name goes as soon as it is open, so a killed process leaves nothing");
                    FluentActions.Invoking(() => TemporaryFile.Open(path)).Should().NotThrow("the name is free again").Which.Dispose();
                }
            }

            using var stream = TemporaryFile.Stream("cs-stream", folder);
            stream.Write("line\n"u8);
            stream.Position = 0;
            new StreamReader(stream).ReadToEnd().Should().Be("line\n");
            if (!OperatingSystem.IsWindows())
            {
                Directory.EnumerateFileSystemEntries(folder).Should().BeEmpty();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
