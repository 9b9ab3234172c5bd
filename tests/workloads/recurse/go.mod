module ksampler.test/recurse

go 1.15
