module ksampler.test/cgocall

go 1.15
